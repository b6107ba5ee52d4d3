import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { pgClientOf, withTransaction } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';
import { seedUserDataOn, type SeedUserDataResult } from '../../generator/user-data.ts';
import { writeLeagueFeed } from '../../generator/write-feed.ts';
import { logger } from '../../logger.ts';
import { markReferenceRows, recordReferenceRows, recordUserRows } from '../demo/rows.ts';
import type { ServiceHost } from '../host.ts';
import type { PipelineHooks } from './execute.ts';
import { startPipeline } from './run-pipeline.ts';
import type { PipelineRun } from './runs.ts';

/** bpetl.settings key recording that the demo was loaded (so a restart does not load it again). */
export const DEMO_SETTING = 'demo_loaded';
export const DEMO_SEED = 'bpetl-demo';
export const DEMO_TEAMS = 300;

export interface DemoResult {
  run: PipelineRun;
  /** Null when the demo's user data was already there (a second `bpetl demo`). */
  userData: SeedUserDataResult | null;
}

/**
 * Loads demo data the way real data arrives: a generated league feed goes through the whole
 * pipeline, then user data of every protected type is attached to the imported teams.
 */
export async function loadDemo(
  app: ServiceHost,
  options: { teams?: number; seed?: string } & PipelineHooks = {},
): Promise<DemoResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-demo-'));
  try {
    const seed = options.seed ?? DEMO_SEED;
    await writeLeagueFeed(dir, { seed, teams: options.teams ?? DEMO_TEAMS });
    // Reference rows created after this mark are the demo run's (recorded once it succeeds).
    const mark = await markReferenceRows(app.db);
    const started = await startPipeline(app, { path: dir, label: 'demo feed' }, { onEvent: options.onEvent });
    const run = await started.finished;
    if (run.status !== 'SUCCEEDED') {
      throw new AppError(
        (run.error?.code as AppError['code']) ?? 'INTERNAL',
        `demo import ended ${run.status}: ${run.error?.message ?? 'no error recorded'}`,
        { runId: run.id },
      );
    }
    if ((await recordReferenceRows(app.db, mark, run.id)) === null) {
      logger.warn('another import ran beside the demo: its reference rows are not recorded as demo data');
    }
    const userData = await seedOnce(app, seed);
    return { run, userData };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function seedOnce(app: Pick<ServiceHost, 'db'>, seed: string): Promise<SeedUserDataResult | null> {
  return withTransaction(app.db, undefined, async (tx) => {
    // Removed (`bpetl demo --remove`) is not loaded: the next explicit demo seeds users again.
    const rows: unknown[] = await tx.query(
      `select 1 from bpetl.settings where key = $1 and value->'removedAt' is null for update`,
      [DEMO_SETTING],
    );
    if (rows.length > 0) return null;
    const result = await seedUserDataOn(await pgClientOf(tx), { seed });
    await recordUserRows(tx);
    await tx.query(
      `insert into bpetl.settings (key, value) values ($1, $2::jsonb)
       on conflict (key) do update set value = excluded.value, updated_at = now()`,
      [DEMO_SETTING, JSON.stringify({ at: new Date().toISOString(), seed, userRows: result.total })],
    );
    return result;
  });
}

/**
 * On a serving process's first start against an empty database, loads the demo so GraphiQL has
 * something to show. Never again once recorded, and never over existing reference data.
 */
export async function loadDemoIfEmpty(app: ServiceHost): Promise<DemoResult | null> {
  const [state]: Array<{ loaded: boolean; teams: boolean }> = await app.db.query(
    `select exists (select 1 from bpetl.settings where key = $1) as loaded,
            exists (select 1 from teams) as teams`,
    [DEMO_SETTING],
  );
  if (state!.loaded || state!.teams) return null;
  logger.info('empty database: loading the demo league data through the pipeline');
  const result = await loadDemo(app);
  logger.info({ runId: result.run.id, userRows: result.userData?.total }, 'demo data loaded');
  return result;
}

/** `loadDemoIfEmpty` for a starting server: a demo that cannot load is logged, never fatal. */
export async function loadDemoOnFirstStart(app: ServiceHost): Promise<void> {
  try {
    await loadDemoIfEmpty(app);
  } catch (err) {
    logger.warn({ err }, 'could not load the demo data; the server starts without it');
  }
}
