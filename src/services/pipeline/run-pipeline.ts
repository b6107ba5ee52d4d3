import type { OpenTransaction } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';
import { TOPIC } from '../../events/topics.ts';
import { logger } from '../../logger.ts';
import { repairConstraints } from '../constraints/repair.ts';
import { validateConstraints } from '../constraints/validate.ts';
import type { ServiceHost } from '../host.ts';
import { type ImportProgress, importTeams } from '../import/import-teams.ts';
import { scanOrphans } from '../orphans/scan.ts';
import { restoreUserData } from '../snapshots/restore.ts';
import { createSnapshot, releaseSnapshot } from '../snapshots/snapshots.ts';
import { endStep, openLockedTransaction } from '../step/transaction.ts';
import {
  cancelRequested,
  createRun,
  eventsAfter,
  FINAL_STATUSES,
  finishRun,
  getRun,
  type NewEvent,
  type PipelineEvent,
  type PipelineRun,
  recordEvent,
  recoverAbandonedRuns,
  requestCancel,
  type RunStatus,
} from './runs.ts';

export interface RunPipelineInput {
  /** The source to read, already resolved (and confined, for API callers). */
  path: string;
  /** How the source is named in stats and messages (the caller's spelling). */
  label?: string;
  /** Every file the source reads must resolve inside this directory (API callers: the import directory). */
  root?: string;
  leagues?: string[];
  dryRun?: boolean;
  allowShrink?: boolean;
  /** Runs when the run has ended, whatever the outcome (e.g. removes an uploaded file). */
  cleanup?: () => Promise<void>;
}

export interface StartedRun {
  run: PipelineRun;
  /** Settles with the final run; never rejects. */
  finished: Promise<PipelineRun>;
}

export interface PipelineHooks {
  /** Every event as it is recorded (the CLI's progress bar). */
  onEvent?: (event: PipelineEvent) => void;
}

interface ActiveRun {
  cancelled: boolean;
  finished: Promise<PipelineRun>;
}

const activeRuns = new WeakMap<ServiceHost, Map<string, ActiveRun>>();

function activeOf(app: ServiceHost): Map<string, ActiveRun> {
  let runs = activeRuns.get(app);
  if (!runs) {
    const created = new Map<string, ActiveRun>();
    activeRuns.set(app, created);
    // Shutdown cancels runs in flight: each rolls back and is recorded as CANCELLED.
    app.onClose(async () => {
      for (const run of created.values()) run.cancelled = true;
      await Promise.all([...created.values()].map((run) => run.finished));
    });
    runs = created;
  }
  return runs;
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
  const local = activeRuns.get(app)?.get(run.id);
  if (local) local.cancelled = true;
  return run;
}

type Step = 'validate' | 'repair' | 'snapshot' | 'import' | 'restore' | 'verify';

async function execute(
  app: ServiceHost,
  run: PipelineRun,
  transaction: OpenTransaction,
  input: RunPipelineInput,
  active: ActiveRun,
  hooks: PipelineHooks,
): Promise<PipelineRun> {
  const manager = transaction.tx;
  const dryRun = input.dryRun ?? false;
  const stats: Record<string, unknown> = {};
  const emit = async (event: NewEvent) => {
    try {
      const stored = await recordEvent(app.db, run.id, event);
      app.pubsub.publish(TOPIC.pipeline, run.id, stored);
      hooks.onEvent?.(stored);
    } catch (err) {
      logger.warn({ err, runId: run.id }, 'could not record a pipeline event');
    }
  };
  const checkCancelled = async () => {
    if (active.cancelled || (await cancelRequested(app.db, run.id))) {
      active.cancelled = true;
      throw new AppError('CANCELLED', `pipeline run ${run.id} was cancelled`, { runId: run.id });
    }
  };
  const step = async <T>(name: Step, fn: () => Promise<T>, summary: (result: T) => string): Promise<T> => {
    await checkCancelled();
    await emit({ step: name, status: 'STARTED', done: null, total: null, message: `${name} started` });
    const result = await fn();
    await emit({ step: name, status: 'DONE', done: null, total: null, message: summary(result) });
    return result;
  };

  let status: RunStatus;
  let error: PipelineRun['error'] = null;
  let committed: Awaited<ReturnType<typeof finishRun>> = null;
  try {
    await emit({
      step: 'run',
      status: 'RUNNING',
      done: 0,
      total: 6,
      message: `reading ${input.label ?? input.path}`,
    });
    const issues = await step(
      'validate',
      () => validateConstraints(manager),
      (r) => `${r.length} issue(s)`,
    );
    stats.validate = {
      issues: issues.length,
      critical: issues.filter((i) => i.severity === 'CRITICAL').length,
    };
    const orphansBefore = await scanOrphans(manager);
    const repair = await step(
      'repair',
      () => repairConstraints(app.db, { dryRun: false, manager }),
      (r) => `${r.actions.length} repair action(s)`,
    );
    stats.repair = { actions: repair.actions };
    const snapshot = await step(
      'snapshot',
      () => createSnapshot(app.db, { runId: run.id, note: `pipeline run ${run.id}`, manager }),
      (s) => `snapshot ${s.id}: ${s.rows} user row(s)`,
    );
    stats.snapshot = { id: snapshot.id, rows: snapshot.rows };
    const imported = await step(
      'import',
      () =>
        importTeams(app.db, {
          path: input.path,
          label: input.label,
          root: input.root,
          leagues: input.leagues,
          allowShrink: input.allowShrink,
          manager,
          checkCancelled,
          onProgress: (p: ImportProgress) =>
            emit({ step: 'import', status: 'PROGRESS', done: p.done, total: p.total, message: p.message }),
        }),
      (s) =>
        `teams: ${s.tables.teams.inserted} inserted, ${s.tables.teams.updated} updated, ` +
        `${s.tables.teams.unchanged} unchanged, ${s.tables.teams.retired} retired; ${s.rejected} rejected`,
    );
    stats.import = imported;
    const restore = await step(
      'restore',
      () => restoreUserData(app.db, { snapshotId: snapshot.id, dryRun: false, manager }),
      (r) => `${r.remapped} remapped, ${r.unmatched} unmatched`,
    );
    // User rows the import moved onto players' new ids (recorded in bpetl.restore_actions too).
    const followed = Object.values(imported.playerIds.moved).reduce((sum, n) => sum + n, 0);
    stats.restore = { ...restore, followedPlayerIds: followed };
    const orphansAfter = await step(
      'verify',
      () => scanOrphans(manager),
      (o) => `${o.total} orphan(s), ${orphansBefore.total} before`,
    );
    stats.orphans = {
      before: orphansBefore.total,
      after: orphansAfter.total,
      byReference: orphansAfter.byReference,
    };
    if (orphansAfter.total > orphansBefore.total) {
      throw new AppError(
        'ORPHANS_WOULD_REMAIN',
        `the run would leave ${orphansAfter.total - orphansBefore.total} new orphan(s); rolled back`,
        {
          runId: run.id,
          byReference: orphansAfter.byReference.filter((r) => r.orphans > 0),
        },
      );
    }
    await checkCancelled();
    if (dryRun) {
      await transaction.rollback();
    } else {
      await releaseSnapshot(manager, snapshot.id);
      // The run's end is written in its own transaction: if the import commits, so does the
      // record that it succeeded; if that record cannot be written, nothing commits.
      committed = await finishRun(
        manager,
        run.id,
        { status: 'SUCCEEDED', stats, error: null },
        lastEvent('SUCCEEDED', null, dryRun),
      );
      await endStep(transaction, false);
    }
    status = 'SUCCEEDED';
  } catch (err) {
    committed = null;
    await transaction.rollback();
    const appError = err instanceof AppError ? err : null;
    error = {
      code: appError?.code ?? 'INTERNAL',
      message: (err as Error)?.message ?? String(err),
      details: appError?.details ?? {},
    };
    status =
      appError?.code === 'CANCELLED'
        ? 'CANCELLED'
        : appError?.code === 'SHRINK_GUARD' || appError?.code === 'ORPHANS_WOULD_REMAIN'
          ? 'ROLLED_BACK'
          : 'FAILED';
    if (!appError) logger.error({ err, runId: run.id }, 'pipeline run failed');
  }
  let ended = committed;
  try {
    ended ??= await recordEnd(app, run.id, { status, stats, error }, lastEvent(status, error, dryRun));
  } catch (err) {
    logger.error({ err, runId: run.id }, 'could not record the end of a pipeline run');
  }
  if (ended) {
    app.pubsub.publish(TOPIC.pipeline, run.id, ended.event);
    hooks.onEvent?.(ended.event);
    return ended.run;
  }
  // Not recorded here: the stored run (ended by another process, or still RUNNING until the next
  // process marks it) is the truth, never what this one hoped for.
  return getRun(app.db, run.id).catch(() => ({ ...run, status: 'FAILED' as const, stats, error }));
}

/**
 * Records how a run that did not commit ended. Stats that cannot be stored do not keep the run
 * RUNNING: it is recorded without them, saying why.
 */
async function recordEnd(
  app: ServiceHost,
  runId: string,
  result: { status: RunStatus; stats: Record<string, unknown>; error: PipelineRun['error'] },
  last: NewEvent,
): ReturnType<typeof finishRun> {
  try {
    return await finishRun(app.db, runId, result, last);
  } catch (err) {
    logger.error(
      { err, runId },
      'the stats of a pipeline run could not be stored; recording it without them',
    );
    return finishRun(app.db, runId, { ...result, stats: { unstored: (err as Error).message } }, last);
  }
}

function lastEvent(status: RunStatus, error: PipelineRun['error'], dryRun: boolean): NewEvent {
  return {
    step: 'run',
    status,
    done: 6,
    total: 6,
    message: error
      ? `${error.code}: ${error.message}`
      : dryRun
        ? 'dry run: rolled back, plan in stats'
        : 'committed',
  };
}

/** The final state of a run, waiting for it when this process runs it. */
export async function waitForRun(app: ServiceHost, id: string): Promise<PipelineRun> {
  const local = activeRuns.get(app)?.get(id);
  return local ? local.finished : getRun(app.db, id);
}

/** How long a follower waits for a hint before it reads the events table anyway. */
const FOLLOW_BACKSTOP_MS = 1000;

/**
 * A run's events after `after`: the stored ones first, then live ones as they are written, ending
 * with the run. The events table is the truth; local pubsub messages (and NOTIFY relayed by a
 * listener) only wake the follower early, and a backstop read each second covers runs on other
 * instances and anything missed.
 */
export async function* followRunEvents(
  app: ServiceHost,
  runId: string,
  after: string | null,
): AsyncGenerator<PipelineEvent> {
  const run = await getRun(app.db, runId);
  const hints = app.pubsub.subscribe(TOPIC.pipeline, run.id)[Symbol.asyncIterator]();
  let cursor = after ? parseCursor(after) : '0';
  let pendingHint: Promise<unknown> | null = null;
  try {
    for (;;) {
      const events = await eventsAfter(app.db, run.id, cursor);
      for (const event of events) {
        cursor = event.id;
        yield event;
        if (event.step === 'run' && FINAL_STATUSES.includes(event.status as RunStatus)) return;
      }
      if (events.length > 0) continue;
      // No final event yet: the run may have died without writing one (getRun marks it FAILED).
      if (FINAL_STATUSES.includes((await getRun(app.db, run.id)).status)) {
        const last = await eventsAfter(app.db, run.id, cursor);
        for (const event of last) yield event;
        return;
      }
      pendingHint ??= hints.next().finally(() => {
        pendingHint = null;
      });
      await Promise.race([pendingHint, new Promise((resolve) => setTimeout(resolve, FOLLOW_BACKSTOP_MS))]);
    }
  } finally {
    await hints.return?.();
  }
}

function parseCursor(after: string): string {
  if (!/^\d{1,18}$/.test(after)) {
    throw new AppError('INVALID_INPUT', `"${after}" is not an event cursor (an event id)`, {
      field: 'after',
    });
  }
  return after;
}
