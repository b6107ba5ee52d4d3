import type { Db } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';
import { CHANNEL } from '../../events/channels.ts';

export const RUN_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const FINAL_STATUSES: readonly RunStatus[] = ['SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED'];

export interface PipelineRun {
  id: string;
  status: RunStatus;
  dryRun: boolean;
  input: Record<string, unknown>;
  stats: Record<string, unknown> | null;
  error: { code: string; message: string; details?: unknown } | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface PipelineEvent {
  id: string;
  runId: string;
  step: string;
  status: string;
  done: number | null;
  total: number | null;
  message: string;
  at: Date;
}

export type NewEvent = Omit<PipelineEvent, 'id' | 'runId' | 'at'>;

declare module '../../events/topics.ts' {
  interface Topics {
    /** Keyed by run id: the event just stored, or a hint relayed from another instance's NOTIFY. */
    pipeline: [runId: string, event: PipelineEvent | { hint: true }];
  }
}

interface RunRow {
  id: string;
  status: RunStatus;
  dry_run: boolean;
  input: Record<string, unknown>;
  stats: Record<string, unknown> | null;
  error: PipelineRun['error'];
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

const RUN_COLUMNS = `id::text as id, status, dry_run, input, stats, error, created_at, started_at, finished_at`;
const EVENT_COLUMNS = `id::text as id, run_id::text as "runId", step, status, done::float8 as done,
  total::float8 as total, message, at`;

function toRun(row: RunRow): PipelineRun {
  return {
    id: row.id,
    status: row.status,
    dryRun: row.dry_run,
    input: row.input,
    stats: row.stats,
    error: row.error,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

// Ids are selected as text (bigints), so every ORDER BY names the table's column, not the alias.
// Updates go through a CTE: TypeORM returns [rows, count] for a bare UPDATE … RETURNING.

/** Ids are bigints; anything else is a caller's mistake, not a missing run. */
export function parseRunId(id: string | number): string {
  const text = String(id).trim();
  if (!/^\d{1,18}$/.test(text)) {
    throw new AppError('INVALID_INPUT', `"${text}" is not a pipeline run id`, { field: 'id' });
  }
  return text;
}

/** A run that holds the import lock from the start; `backendPid` is the lock holder's session. */
export async function createRun(
  db: Db,
  run: { dryRun: boolean; input: Record<string, unknown>; backendPid: number },
): Promise<PipelineRun> {
  const [row]: RunRow[] = await db.query(
    `insert into bpetl.pipeline_runs (status, dry_run, input, backend_pid, started_at)
     values ('RUNNING', $1, $2::jsonb, $3, now()) returning ${RUN_COLUMNS}`,
    [run.dryRun, storableJson(run.input), run.backendPid],
  );
  return toRun(row!);
}

/**
 * JSON that jsonb accepts whatever the strings in `value` hold: JSON.stringify writes NUL and
 * unpaired surrogates as \u escapes, which jsonb refuses; they are spelled out as text instead.
 */
export function storableJson(value: unknown): string {
  return JSON.stringify(value).replace(/(?<!\\)((?:\\\\)*)\\u(0000|d[89a-f][0-9a-f]{2})/gi, '$1\\\\u$2');
}

/**
 * Ends a run and stores its last event in one statement, so a follower that sees the run ended
 * also finds the event that says so; the run's snapshot gets the run's status in it too. Only a run still in progress is ended: null when it had ended
 * already (its own transaction recorded it, see run-pipeline.ts).
 */
export async function finishRun(
  db: Db,
  id: string,
  result: { status: RunStatus; stats?: unknown; error?: PipelineRun['error'] },
  last: NewEvent,
): Promise<{ run: PipelineRun; event: PipelineEvent } | null> {
  const [row]: Array<RunRow & { event: PipelineEvent }> = await db.query(
    `with u as (
       update bpetl.pipeline_runs
          set status = $2, stats = coalesce($3::jsonb, stats), error = $4::jsonb, finished_at = now()
        where id = $1 and status in ('QUEUED', 'RUNNING') returning *),
     e as (
       insert into bpetl.pipeline_events (run_id, step, status, done, total, message)
       select id, $5, $6, $7, $8, $9 from u returning *),
     -- The run's snapshot carries its status, written with the run's end so that it cannot be
     -- left RUNNING (kept for ever) by a run that ended.
     s as (
       update bpetl.snapshots s set run_status = u.status, released = (u.status = 'SUCCEEDED')
         from u where s.run_id = u.id::text and s.run_status = 'RUNNING')
     select ${RUN_COLUMNS},
            (select json_build_object('id', e.id::text, 'runId', e.run_id::text, 'step', e.step,
                    'status', e.status, 'done', e.done, 'total', e.total, 'message', e.message, 'at', e.at)
               from e) as event,
            pg_notify('${CHANNEL.pipeline}', json_build_object('runId', id::text)::text)
       from u`,
    [
      id,
      result.status,
      result.stats === undefined ? null : storableJson(result.stats),
      result.error ? storableJson(result.error) : null,
      last.step,
      last.status,
      last.done,
      last.total,
      last.message.slice(0, 2000),
    ],
  );
  if (!row) return null;
  return { run: toRun(row), event: { ...row.event, at: new Date(row.event.at) } };
}

export async function getRun(db: Db, id: string | number): Promise<PipelineRun> {
  await recoverAbandonedRuns(db);
  const rows: RunRow[] = await db.query(`select ${RUN_COLUMNS} from bpetl.pipeline_runs where id = $1`, [
    parseRunId(id),
  ]);
  if (!rows[0]) throw new AppError('NOT_FOUND', `pipeline run ${id} does not exist`, { id: String(id) });
  return toRun(rows[0]);
}

/** Newest first. */
export async function listRuns(db: Db, first = 20): Promise<PipelineRun[]> {
  if (!Number.isInteger(first) || first < 1 || first > 500) {
    throw new AppError('INVALID_INPUT', 'first must be between 1 and 500', { field: 'first', value: first });
  }
  await recoverAbandonedRuns(db);
  const rows: RunRow[] = await db.query(
    `select ${RUN_COLUMNS} from bpetl.pipeline_runs r order by r.id desc limit $1`,
    [first],
  );
  return rows.map(toRun);
}

/**
 * Marks FAILED every RUNNING run whose session is gone: its process died, and the server aborted
 * its transaction, so nothing of it was written. The session, not the lock, is the test: between
 * its commit and recording its end, a live run holds no lock. Any process that looks at runs calls
 * this first, so no run stays RUNNING forever.
 */
export async function recoverAbandonedRuns(db: Db): Promise<number> {
  const rows: Array<{ id: string }> = await db.query(
    `with u as (update bpetl.pipeline_runs
        set status = 'FAILED', finished_at = now(),
            error = jsonb_build_object('code', 'INTERNAL',
              'message', 'the process running this pipeline stopped before it finished; nothing of it was committed')
      where status in ('QUEUED', 'RUNNING')
        and not exists (select 1 from pg_stat_activity a where a.pid = backend_pid)
      returning id),
     s as (
       update bpetl.snapshots s set run_status = 'FAILED'
         from u where s.run_id = u.id::text and s.run_status = 'RUNNING')
     select id::text as id from u`,
  );
  return rows.length;
}

export async function requestCancel(db: Db, id: string): Promise<PipelineRun> {
  const run = await getRun(db, id);
  if (FINAL_STATUSES.includes(run.status)) {
    throw new AppError('INVALID_INPUT', `pipeline run ${id} already ended (${run.status})`, {
      id,
      status: run.status,
    });
  }
  await db.query(`update bpetl.pipeline_runs set cancel_requested = true where id = $1`, [id]);
  return run;
}

export async function cancelRequested(db: Db, id: string): Promise<boolean> {
  const rows: Array<{ cancel_requested: boolean }> = await db.query(
    `select cancel_requested from bpetl.pipeline_runs where id = $1`,
    [id],
  );
  return rows[0]?.cancel_requested ?? false;
}

/**
 * Stores an event and NOTIFYs its id in one autocommitted statement. `db` must not be the run's
 * transaction: events are for watching a run while its transaction is open.
 */
export async function recordEvent(db: Db, runId: string, event: NewEvent): Promise<PipelineEvent> {
  const [row]: PipelineEvent[] = await db.query(
    `with e as (
       insert into bpetl.pipeline_events (run_id, step, status, done, total, message)
       values ($1, $2, $3, $4, $5, $6) returning *)
     select ${EVENT_COLUMNS},
            pg_notify('${CHANNEL.pipeline}', json_build_object('runId', run_id::text, 'id', id::text)::text)
       from e`,
    [runId, event.step, event.status, event.done, event.total, event.message.slice(0, 2000)],
  );
  return row!;
}

export async function eventsAfter(
  db: Db,
  runId: string,
  after: string | null,
  limit = 500,
): Promise<PipelineEvent[]> {
  return db.query(
    `select ${EVENT_COLUMNS} from bpetl.pipeline_events e
      where e.run_id = $1 and e.id > $2 order by e.id limit $3`,
    [runId, after ?? '0', limit],
  );
}
