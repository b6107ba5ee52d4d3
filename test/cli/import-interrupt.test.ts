import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeLeagueFeed } from '../../src/generator/index.ts';
import { RUN_RECORD, tableChecksums } from '../helpers/checksums.ts';
import { spawnCli } from '../helpers/cli.ts';
import { useTestDatabase } from '../helpers/database.ts';

const db = useTestDatabase();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-interrupt-'));
  await writeLeagueFeed(path.join(dir, 'feed'), { seed: 'interrupt', teams: 3000 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('Ctrl-C in bpetl import', () => {
  it(
    'cancels the run: CANCELLED, exit 1, nothing written but the run and its snapshot',
    { timeout: 180_000 },
    async () => {
      const before = await tableChecksums(db, RUN_RECORD);
      const child = spawnCli(['import', path.join(dir, 'feed'), '--json'], { DATABASE_URL: db.url });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      // Once the import step is under way, as an operator would press Ctrl-C (SIGINT to the process).
      let runId: string | null = null;
      for (let i = 0; i < 1200 && runId === null; i++) {
        const rows = await db.query<{ id: string }>(
          `select r.id::text from bpetl.pipeline_runs r
          where r.status = 'RUNNING'
            and exists (select 1 from bpetl.pipeline_events e where e.run_id = r.id and e.step = 'import')`,
        );
        runId = rows[0]?.id ?? null;
        if (runId === null) await new Promise((r) => setTimeout(r, 50));
      }
      expect(runId, stderr).not.toBeNull();
      child.kill('SIGINT');
      expect(await exited, stderr).toBe(1);
      expect(stderr).toMatch(/^error CANCELLED: pipeline run \d+ was cancelled$/m);
      expect(JSON.parse(stdout)).toMatchObject({
        id: runId,
        status: 'CANCELLED',
        error: { code: 'CANCELLED' },
      });
      const [run] = await db.query<{ status: string }>(
        `select status from bpetl.pipeline_runs where id = $1`,
        [runId],
      );
      expect(run).toEqual({ status: 'CANCELLED' });
      expect(await tableChecksums(db, RUN_RECORD)).toEqual(before);
    },
  );
});
