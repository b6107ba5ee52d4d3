import type { OpenTransaction } from '../../db/sql.ts';
import type { ServiceHost } from '../host.ts';
import { openLockedTransaction } from '../step/transaction.ts';
import { activeOf, type ActiveRun, activeRun } from './active-runs.ts';
import { execute, type PipelineHooks, type RunPipelineInput } from './execute.ts';
import { createRun, getRun, type PipelineRun, recoverAbandonedRuns, requestCancel } from './runs.ts';

export interface StartedRun {
  run: PipelineRun;
  /** Settles with the final run; never rejects. */
  finished: Promise<PipelineRun>;
}

/** `runPipeline`: the run as soon as it holds the lock; the work goes on in the background. */
export async function runPipeline(
  app: ServiceHost,
  input: RunPipelineInput,
  hooks: PipelineHooks = {},
): Promise<PipelineRun> {
  return (await startPipeline(app, input, hooks)).run;
}

/**
 * Opens the run's transaction and takes the import lock before returning, so a second caller
 * learns at once (IMPORT_IN_PROGRESS, naming the running run) instead of queueing behind it.
 */
export async function startPipeline(
  app: ServiceHost,
  input: RunPipelineInput,
  hooks: PipelineHooks = {},
): Promise<StartedRun> {
  await recoverAbandonedRuns(app.db);
  let transaction: OpenTransaction;
  let run: PipelineRun;
  try {
    transaction = await openLockedTransaction(app.db);
  } catch (err) {
    await input.cleanup?.().catch(() => undefined);
    throw err;
  }
  try {
    const [{ pid }]: Array<{ pid: number }> = await transaction.tx.query('select pg_backend_pid() as pid');
    run = await createRun(app.db, {
      dryRun: input.dryRun ?? false,
      input: {
        source: input.label ?? input.path,
        leagues: input.leagues ?? [],
        allowShrink: input.allowShrink ?? false,
      },
      backendPid: pid,
    });
  } catch (err) {
    await transaction.rollback();
    await input.cleanup?.().catch(() => undefined);
    throw err;
  }
  const active: ActiveRun = { cancelled: false, finished: Promise.resolve(run) };
  const runs = activeOf(app);
  runs.set(run.id, active);
  active.finished = execute(app, run, transaction, input, active, hooks).finally(async () => {
    runs.delete(run.id);
    await input.cleanup?.().catch(() => undefined);
  });
  return { run, finished: active.finished };
}

/** Asks a run to stop; it rolls back at its next step or batch and ends CANCELLED. */
export async function cancelPipeline(app: ServiceHost, id: string): Promise<PipelineRun> {
  const run = await requestCancel(app.db, id);
  const local = activeRun(app, run.id);
  if (local) local.cancelled = true;
  return run;
}

/** The final state of a run, waiting for it when this process runs it. */
export async function waitForRun(app: ServiceHost, id: string): Promise<PipelineRun> {
  const local = activeRun(app, id);
  return local ? local.finished : getRun(app.db, id);
}
