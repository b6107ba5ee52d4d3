import type { Db } from '../../db/sql.ts';

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
