import type { OpenTransaction, Tx } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';
import { TOPIC } from '../../events/topics.ts';
import { logger } from '../../logger.ts';
import { repairConstraints } from '../constraints/repair.ts';
import { validateConstraints } from '../constraints/validate.ts';
import type { ServiceHost } from '../host.ts';
import { type ImportProgress, importTeams } from '../import/import-teams.ts';
import { type OrphanScan, scanOrphans } from '../orphans/scan.ts';
import { restoreUserData } from '../snapshots/restore.ts';
import { createSnapshot } from '../snapshots/snapshots.ts';
import { endStep } from '../step/transaction.ts';
import type { ActiveRun } from './active-runs.ts';
import {
  cancelRequested,
  finishRun,
  getRun,
  type NewEvent,
  type PipelineEvent,
  type PipelineRun,
  recordEvent,
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

export interface PipelineHooks {
  /** Every event as it is recorded (the CLI's progress bar). */
  onEvent?: (event: PipelineEvent) => void;
}

type Step = 'validate' | 'snapshot' | 'repair' | 'import' | 'restore' | 'verify';

type Ended = Awaited<ReturnType<typeof finishRun>>;

/** One run in flight: its transaction, what it has found so far, and how it reports. */
interface RunContext {
  app: ServiceHost;
  run: PipelineRun;
  input: RunPipelineInput;
  manager: Tx;
  stats: Record<string, unknown>;
  emit(event: NewEvent): Promise<void>;
  /** Throws CANCELLED once the run was asked to stop (here or by another process). */
  checkCancelled(): Promise<void>;
  /** Runs one step between its STARTED and DONE events. */
  step<T>(name: Step, fn: () => Promise<T>, summary: (result: T) => string): Promise<T>;
}

/**
 * Runs the six steps in the run's transaction, then commits it (or rolls it back: a dry run, a
 * failure, a cancel), and records how the run ended. Never rejects.
 */
export async function execute(
  app: ServiceHost,
  run: PipelineRun,
  transaction: OpenTransaction,
  input: RunPipelineInput,
  active: ActiveRun,
  hooks: PipelineHooks,
): Promise<PipelineRun> {
  const ctx = runContext(app, run, transaction.tx, input, active, hooks);
  const dryRun = input.dryRun ?? false;
  let status: RunStatus;
  let error: PipelineRun['error'] = null;
  let committed: Ended = null;
  try {
    await runSteps(ctx);
    await ctx.checkCancelled();
    if (dryRun) await transaction.rollback();
    else committed = await commitRun(ctx, transaction);
    status = 'SUCCEEDED';
  } catch (err) {
    committed = null;
    await transaction.rollback();
    ({ status, error } = failureOf(err));
    if (!(err instanceof AppError)) logger.error({ err, runId: run.id }, 'pipeline run failed');
  }
  return settle(ctx, committed, { status, stats: ctx.stats, error }, hooks);
}

function runContext(
  app: ServiceHost,
  run: PipelineRun,
  manager: Tx,
  input: RunPipelineInput,
  active: ActiveRun,
  hooks: PipelineHooks,
): RunContext {
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
  return { app, run, input, manager, stats: {}, emit, checkCancelled, step };
}

/** validate, snapshot, repair, import, restore, verify. */
async function runSteps(ctx: RunContext): Promise<void> {
  const { app, input, manager, stats, step } = ctx;
  await ctx.emit({
    step: 'run',
    status: 'RUNNING',
    done: 0,
    total: 6,
    message: `reading ${input.label ?? input.path}`,
  });
  const issues = await step(
    'validate',
    () => validateConstraints(manager),
    (r) =>
      `${r.length} issue(s) (key and reference problems found before the import; bpetl health lists them)`,
  );
  stats.validate = {
    issues: issues.length,
    critical: issues.filter((i) => i.severity === 'CRITICAL').length,
  };
  const orphansBefore = await scanOrphans(manager);
  const snapshot = await step(
    'snapshot',
    () => takeSnapshot(ctx),
    (s) => `snapshot ${s.id}: ${s.rows} user row(s) copied (bpetl snapshots show ${s.id})`,
  );
  stats.snapshot = { id: snapshot.id, rows: snapshot.rows };
  const repair = await step(
    'repair',
    () => repairConstraints(app.db, { dryRun: false, manager }),
    (r) =>
      `${r.actions.length} repair action(s) (constraint fixes before the import; listed in the run summary)`,
  );
  stats.repair = { actions: repair.actions };
  await importAndRestore(ctx, snapshot.id);
  await verify(ctx, orphansBefore);
}

/**
 * A run's snapshot is written and committed on its own connection, before the run's transaction
 * has changed anything (so before repair, whose added constraints lock tables the snapshot reads
 * until the run ends): a run that fails or rolls back keeps it, marked with the run's id and,
 * once the run ends, its status. A dry run's snapshot is taken inside the run's transaction and
 * rolled back with it: a dry run changes no user data, so there is nothing to restore from it, and
 * a kept one would write every user row again and count against the snapshots retention keeps.
 */
function takeSnapshot(ctx: RunContext): ReturnType<typeof createSnapshot> {
  const options = { runId: ctx.run.id, note: `pipeline run ${ctx.run.id}` };
  return ctx.input.dryRun
    ? createSnapshot(ctx.app.db, { ...options, manager: ctx.manager })
    : createSnapshot(ctx.app.db, options);
}

async function importAndRestore(ctx: RunContext, snapshotId: number): Promise<void> {
  const { app, input, manager, stats, step } = ctx;
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
        checkCancelled: ctx.checkCancelled,
        onProgress: (p: ImportProgress) =>
          ctx.emit({ step: 'import', status: 'PROGRESS', done: p.done, total: p.total, message: p.message }),
      }),
    (s) =>
      `teams: ${s.tables.teams.inserted} inserted, ${s.tables.teams.updated} updated, ` +
      `${s.tables.teams.unchanged} unchanged, ${s.tables.teams.retired} retired; ${s.rejected} record(s) rejected (listed in the run summary)`,
  );
  stats.import = imported;
  const restore = await step(
    'restore',
    () => restoreUserData(app.db, { snapshotId, dryRun: false, manager }),
    (r) =>
      `${r.remapped} user row(s) re-pointed, ${r.unmatched} left unmatched (no unique match: left as they are; listed in the run summary)`,
  );
  // User rows the import moved onto players' new ids (recorded in bpetl.restore_actions too).
  const followed = Object.values(imported.playerIds.moved).reduce((sum, n) => sum + n, 0);
  stats.restore = { ...restore, followedPlayerIds: followed };
}

/** The orphan guard: a run that would leave more orphans than it found rolls back. */
async function verify(ctx: RunContext, orphansBefore: OrphanScan): Promise<void> {
  const orphansAfter = await ctx.step(
    'verify',
    () => scanOrphans(ctx.manager),
    (o) =>
      `${o.total} orphan(s) after, ${orphansBefore.total} before (user rows pointing at nothing; bpetl health counts them)`,
  );
  ctx.stats.orphans = {
    before: orphansBefore.total,
    after: orphansAfter.total,
    byReference: orphansAfter.byReference,
  };
  if (orphansAfter.total > orphansBefore.total) {
    throw new AppError(
      'ORPHANS_WOULD_REMAIN',
      `the run would leave ${orphansAfter.total - orphansBefore.total} new orphan(s); rolled back`,
      {
        runId: ctx.run.id,
        byReference: orphansAfter.byReference.filter((r) => r.orphans > 0),
      },
    );
  }
}

async function commitRun(ctx: RunContext, transaction: OpenTransaction): Promise<Ended> {
  // The run's end is written in its own transaction: if the import commits, so does the
  // record that it succeeded (and its snapshot's status); if that record cannot be written,
  // nothing commits.
  const committed = await finishRun(
    ctx.manager,
    ctx.run.id,
    { status: 'SUCCEEDED', stats: ctx.stats, error: null },
    lastEvent('SUCCEEDED', null, false),
  );
  await endStep(transaction, false);
  return committed;
}

function failureOf(err: unknown): { status: RunStatus; error: NonNullable<PipelineRun['error']> } {
  const appError = err instanceof AppError ? err : null;
  const error = {
    code: appError?.code ?? 'INTERNAL',
    message: (err as Error)?.message ?? String(err),
    details: appError?.details ?? {},
  };
  const status: RunStatus =
    appError?.code === 'CANCELLED'
      ? 'CANCELLED'
      : appError?.code === 'SHRINK_GUARD' || appError?.code === 'ORPHANS_WOULD_REMAIN'
        ? 'ROLLED_BACK'
        : 'FAILED';
  return { status, error };
}

/** Records the end of a run that did not commit, publishes the last event and returns the run. */
async function settle(
  ctx: RunContext,
  committed: Ended,
  result: { status: RunStatus; stats: Record<string, unknown>; error: PipelineRun['error'] },
  hooks: PipelineHooks,
): Promise<PipelineRun> {
  const { app, run } = ctx;
  const dryRun = ctx.input.dryRun ?? false;
  let ended = committed;
  try {
    ended ??= await recordEnd(app, run.id, result, lastEvent(result.status, result.error, dryRun));
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
  return getRun(app.db, run.id).catch(() => ({
    ...run,
    status: 'FAILED' as const,
    stats: result.stats,
    error: result.error,
  }));
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
