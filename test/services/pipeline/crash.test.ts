import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeLeagueFeed } from '../../../src/generator/index.ts';
import { useTestDatabase } from '../../helpers/database.ts';

const db = useTestDatabase();
const ROOT = path.resolve(import.meta.dirname, '../../..');
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-crash-'));
  await writeLeagueFeed(path.join(workDir, 'small'), { seed: 'crash', teams: 200 });
  await writeLeagueFeed(path.join(workDir, 'large'), { seed: 'crash-large', teams: 5000, compact: true });
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** `bpetl import` in its own process, as an operator runs it (stderr is not a TTY: plain lines). */
function bpetlImport(source: string, args: string[] = []): { child: ChildProcess; stderr: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'import', source, ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout!.resume();
  return { child, stderr: () => stderr };
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/**
 * A checksum of every row of every table, but the run log (a killed run is recorded there) and the
 * snapshots (a run commits its own before its transaction, and a killed run keeps it).
 */
async function checksums(): Promise<Record<string, string>> {
  const tables = await db.query<{ name: string }>(
    `select format('%I.%I', schemaname, tablename) as name from pg_tables
      where schemaname in ('public', 'bpetl')
        and tablename not in ('pipeline_runs', 'pipeline_events', 'migrations', 'snapshots', 'snapshot_rows')
      order by 1`,
  );
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await db.query<{ sum: string | null; n: number }>(
      `select md5(string_agg(t::text, '|' order by t::text)) as sum, count(*)::int as n from ${name} t`,
    );
    result[name] = `${row!.n}:${row!.sum}`;
  }
  return result;
}

describe('a killed import', () => {
  it('leaves the database exactly as before, and a rerun succeeds', { timeout: 240_000 }, async () => {
    const first = bpetlImport(path.join(workDir, 'small'));
    expect(await exitOf(first.child), first.stderr()).toEqual({ code: 0, signal: null });
    const before = await checksums();

    const victim = bpetlImport(path.join(workDir, 'large'), ['--allow-shrink']);
    // Killed once the import is writing reference tables inside its transaction.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (victim.stderr().includes('progress: players')) {
          clearInterval(timer);
          victim.child.kill('SIGKILL');
          resolve();
        }
        if (victim.child.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`the import ended before it could be killed:\n${victim.stderr()}`));
        }
      }, 5);
    });
    expect((await exitOf(victim.child)).signal).toBe('SIGKILL');

    // The server ends the dead session's transaction when it notices the closed connection.
    for (let i = 0; i < 100; i++) {
      const busy = await db.query(
        `select 1 from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()
           and application_name = 'bpetl'`,
      );
      if (busy.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await checksums()).toEqual(before);

    const rerun = bpetlImport(path.join(workDir, 'large'), ['--allow-shrink', '--json']);
    expect(await exitOf(rerun.child), rerun.stderr()).toEqual({ code: 0, signal: null });
    const runs = await db.query<{ status: string; error: { message: string } | null }>(
      `select status, error from bpetl.pipeline_runs order by id`,
    );
    expect(runs.map((r) => r.status)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    expect(runs[1]!.error?.message).toContain('stopped before it finished');
    // The killed run's snapshot is kept, marked with the status it was recorded with.
    const snapshots = await db.query<{ run_status: string }>(
      `select s.run_status from bpetl.snapshots s
         join bpetl.pipeline_runs r on r.id::text = s.run_id order by r.id`,
    );
    expect(snapshots.map((s) => s.run_status)).toEqual(['SUCCEEDED', 'FAILED', 'SUCCEEDED']);
    const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from teams where is_active`);
    expect(n).toBeGreaterThan(4000);
  });

  it('a failing import exits non-zero and prints the error code; --json prints the run', async () => {
    const failed = bpetlImport(path.join(workDir, 'missing'));
    expect((await exitOf(failed.child)).code).toBe(1);
    expect(failed.stderr()).toMatch(/^error SOURCE_UNREADABLE: .*missing does not exist$/m);

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'import',
        path.join(workDir, 'small'),
        '--dry-run',
        '--allow-shrink',
        '--json',
      ],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent' } },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect((await exitOf(child)).code).toBe(0);
    const run = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(run).sort()).toEqual(
      ['createdAt', 'dryRun', 'error', 'finishedAt', 'id', 'input', 'startedAt', 'stats', 'status'].sort(),
    );
    expect(run).toMatchObject({ status: 'SUCCEEDED', dryRun: true, error: null });
  });
});
