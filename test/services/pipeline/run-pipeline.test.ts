import { describe, expect, it } from 'vitest';

import { AppError } from '../../../src/errors.ts';
import { seedUserData } from '../../../src/generator/user-data.ts';
import { cancelPipeline, startPipeline } from '../../../src/services/pipeline/run-pipeline.ts';
import { eventsAfter, getRun } from '../../../src/services/pipeline/runs.ts';
import { getSnapshot } from '../../../src/services/snapshots/snapshots.ts';
import { useTestApp } from '../../helpers/app.ts';
import { RUN_LOG, RUN_RECORD, tableChecksums } from '../../helpers/checksums.ts';
import { fixtureFeed } from '../../helpers/fixtures.ts';

const t = useTestApp();

async function teamCount(): Promise<number> {
  const [{ n }] = await t.db.query<{ n: number }>('select count(*)::int as n from teams');
  return n;
}

/** Every table but the run log, which records the run whatever it did. */
const checksums = () => tableChecksums(t.db, RUN_LOG);
/** Every table but the run log and the snapshot a run that is not a dry run keeps, whatever it did. */
const checksumsBesideSnapshot = () => tableChecksums(t.db, RUN_RECORD);

describe('runPipeline', () => {
  it('runs all steps in one transaction and records progress events', async () => {
    const started = await startPipeline(t.app, { path: fixtureFeed('2025-06-21') });
    const run = await started.finished;
    expect(run.status, JSON.stringify(run.error)).toBe('SUCCEEDED');
    expect(await teamCount()).toBeGreaterThan(800);
    const events = await eventsAfter(t.app.db, run.id, null);
    const steps = events.filter((e) => e.status === 'DONE').map((e) => e.step);
    expect(steps).toEqual(['validate', 'snapshot', 'repair', 'import', 'restore', 'verify']);
    expect(events.at(-1)).toMatchObject({ step: 'run', status: 'SUCCEEDED' });
    expect((await getRun(t.app.db, run.id)).finishedAt).not.toBeNull();
    // User data on every league, so the runs below have references to move and snapshots to take.
    expect((await seedUserData(t.db.pool, { seed: 'run-pipeline' })).total).toBeGreaterThan(0);
  });

  it('dry run of a refresh plans the import and writes nothing to any table', async () => {
    const before = await checksums();
    const started = await startPipeline(t.app, { path: fixtureFeed('2025-06-30'), dryRun: true });
    expect(started.run.status).toBe('RUNNING');
    const run = await started.finished;
    expect(run.status, JSON.stringify(run.error)).toBe('SUCCEEDED');
    expect(run.dryRun).toBe(true);
    // The plan is a real one: the refresh would retire teams and snapshot the user data.
    const plan = run.stats as { import: { tables: { teams: { retired: number } } } };
    expect(plan.import.tables.teams.retired).toBeGreaterThan(0);
    expect(await checksums()).toEqual(before);
  });

  it('cancels a run after its import step has written: rolled back, status CANCELLED, snapshot kept', async () => {
    const before = await checksumsBesideSnapshot();
    let cancelled: Promise<unknown> | null = null;
    const started = await startPipeline(
      t.app,
      { path: fixtureFeed('2025-06-30') },
      {
        onEvent: (e) => {
          // By the teams phase the snapshot is taken and leagues, clubs and series are written.
          if (e.step === 'import' && e.message === 'teams') cancelled ??= cancelPipeline(t.app, e.runId);
        },
      },
    );
    const run = await started.finished;
    await cancelled;
    expect(run.status).toBe('CANCELLED');
    expect(run.error?.code).toBe('CANCELLED');
    const events = await eventsAfter(t.app.db, run.id, null);
    expect(events.filter((e) => e.status === 'DONE').map((e) => e.step)).toEqual([
      'validate',
      'snapshot',
      'repair',
    ]);
    expect(events.some((e) => e.step === 'import' && e.message === 'teams')).toBe(true);
    expect(await checksumsBesideSnapshot()).toEqual(before);
    const snapshot = await getSnapshot(t.app.db, (run.stats as { snapshot: { id: number } }).snapshot.id);
    expect(snapshot).toMatchObject({ runId: run.id, runStatus: 'CANCELLED' });
  });

  it('fails with the source error and writes nothing but its run log and snapshot', async () => {
    const before = await checksumsBesideSnapshot();
    const started = await startPipeline(t.app, { path: '/nonexistent/feed' });
    const run = await started.finished;
    expect(run.status).toBe('FAILED');
    expect(run.error?.code).toBe('SOURCE_UNREADABLE');
    expect(await checksumsBesideSnapshot()).toEqual(before);
    const snapshot = await getSnapshot(t.app.db, (run.stats as { snapshot: { id: number } }).snapshot.id);
    expect(snapshot).toMatchObject({ runId: run.id, runStatus: 'FAILED' });
  });

  it('refuses a second run while one holds the lock, naming it', async () => {
    const first = await startPipeline(t.app, { path: fixtureFeed('2025-06-30') });
    const second = await startPipeline(t.app, { path: fixtureFeed('2025-06-30') }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(second).toBeInstanceOf(AppError);
    expect((second as AppError).code).toBe('IMPORT_IN_PROGRESS');
    expect((second as AppError).details.runId).toBe(first.run.id);
    expect((second as AppError).message).toContain(first.run.id);
    expect((await first.finished).status).toBe('SUCCEEDED');
  });

  it('two runs started at the same moment: exactly one proceeds', async () => {
    const results = await Promise.allSettled([
      startPipeline(t.app, { path: fixtureFeed('2025-06-30') }),
      startPipeline(t.app, { path: fixtureFeed('2025-06-30') }),
    ]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const winner = await (ok[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof startPipeline>>>).value;
    expect(((refused[0] as PromiseRejectedResult).reason as AppError).details.runId).toBe(winner.run.id);
    await winner.finished;
  });
});
