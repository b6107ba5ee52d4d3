import type { Db } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';

/**
 * The advisory lock every import holds for its whole transaction (two-key form: 'bpet', 1).
 * Advisory locks are scoped to the database, so every instance pointing at it shares the lock.
 */
export const IMPORT_LOCK = { classId: 0x6270_6574, objectId: 1 } as const;

/** Takes the lock for the rest of the current transaction; false when another session holds it. */
export async function tryImportLock(db: Db): Promise<boolean> {
  const rows: Array<{ locked: boolean }> = await db.query(
    `select pg_try_advisory_xact_lock($1::int, $2::int) as locked`,
    [IMPORT_LOCK.classId, IMPORT_LOCK.objectId],
  );
  return rows[0]!.locked;
}

/** Waits for the transaction-scoped advisory lock `key` (one-key form) and holds it to the end. */
export async function waitForLock(db: Db, key: number): Promise<void> {
  await db.query('select pg_advisory_xact_lock($1)', [key]);
}

/** Backend pid of the session holding the lock in this database, or null when it is free. */
export async function importLockHolder(db: Db): Promise<number | null> {
  const rows: Array<{ pid: number }> = await db.query(
    `select pid from pg_locks
      where locktype = 'advisory' and granted and classid = $1::int::oid and objid = $2::int::oid
        and objsubid = 2 and database = (select oid from pg_database where datname = current_database())`,
    [IMPORT_LOCK.classId, IMPORT_LOCK.objectId],
  );
  return rows[0]?.pid ?? null;
}

/** The pipeline run whose session holds the lock, if the holder is one (a lone importTeams is not). */
async function runHoldingLock(db: Db): Promise<{ pid: number | null; runId: string | null }> {
  const pid = await importLockHolder(db);
  if (pid === null) return { pid, runId: null };
  const rows: Array<{ id: string }> = await db.query(
    `select r.id::text as id from bpetl.pipeline_runs r
      where r.backend_pid = $1 and r.status = 'RUNNING' order by r.id desc limit 1`,
    [pid],
  );
  return { pid, runId: rows[0]?.id ?? null };
}

/** The one IMPORT_IN_PROGRESS error: it names the running pipeline run when there is one. */
export async function importInProgress(db: Db): Promise<AppError> {
  // The holder writes its run right after taking the lock: give it a moment to appear.
  for (let attempt = 0; attempt < 20; attempt++) {
    const { pid, runId } = await runHoldingLock(db);
    if (runId) {
      return new AppError(
        'IMPORT_IN_PROGRESS',
        `pipeline run ${runId} is importing; try again when it ends`,
        {
          runId,
        },
      );
    }
    if (pid === null && attempt > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return new AppError('IMPORT_IN_PROGRESS', 'another import is running; try again when it ends', {
    runId: null,
  });
}
