import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { beforeAll, describe, expect, it } from 'vitest';

import { createSnapshot } from '../../../src/services/snapshots/snapshots.ts';
import { useDataSource } from '../../helpers/data-source.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { seedSafetyData } from '../../helpers/seed-safety.ts';

const db = useTestDatabase();
const ds = useDataSource(db);
const root = path.resolve(import.meta.dirname, '../../..');

async function bpetl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('npx', ['tsx', 'src/cli/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent' },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let snapshotId = 0;
beforeAll(async () => {
  await seedSafetyData(db.pool, { clubs: 2, series: 1 });
  snapshotId = (await createSnapshot(ds.current, { note: 'cli' })).id;
});

describe('bpetl snapshots', () => {
  it('lists and shows snapshots as JSON with the GraphQL fields', async () => {
    const list = await bpetl('snapshots', 'list', '--json');
    expect(list.code).toBe(0);
    const parsed = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    expect(parsed).toHaveLength(1);
    expect(Object.keys(parsed[0]!).sort()).toEqual([
      'byType',
      'createdAt',
      'id',
      'note',
      'rows',
      'runId',
      'runStatus',
    ]);
    expect(parsed[0]).toMatchObject({
      id: String(snapshotId),
      note: 'cli',
      runId: null,
      runStatus: null,
      rows: 32,
    });
    const show = await bpetl('snapshots', 'show', String(snapshotId));
    expect(show.stdout).toContain(`snapshot ${snapshotId}`);
    expect(show.stdout).toContain('polls: 4');
  });

  it('restores with --dry-run --json, and fails clearly on a bad or unknown id', async () => {
    const dry = await bpetl('snapshots', 'restore', String(snapshotId), '--dry-run', '--json');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({
      snapshotId: String(snapshotId),
      dryRun: true,
      remapped: 0,
      unchanged: 36,
    });
    const missing = await bpetl('snapshots', 'show', '777');
    expect(missing).toMatchObject({ code: 1, stderr: 'error NOT_FOUND: Snapshot 777 does not exist\n' });
    const bad = await bpetl('snapshots', 'restore', 'abc');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error INVALID_INPUT');
  });
});
