import type { EntityManager } from 'typeorm';

import { AppError } from '../../errors.ts';
import type { HealthCheck, HealthReport, HealthStatus, HealthType } from './report.ts';

type Db = Pick<EntityManager, 'query'>;

/** How long history is kept: a month of changes is enough to see a trend; older rows are pruned. */
export const HEALTH_HISTORY_DAYS = 30;
/** At most this many entries per query (the newest in the range). */
export const MAX_HISTORY_ENTRIES = 2000;

export interface HealthHistoryEntry {
  id: string;
  checkedAt: Date;
  score: number;
  status: HealthStatus;
  types: HealthType[];
  checks: HealthCheck[];
}

/**
 * Appends the report unless the newest entry already holds the same state (a restart, or another
 * instance watching the same database, records a state once), then prunes entries past retention.
 * Returns the id of the entry that holds the state: a subscriber's cursor.
 */
export async function recordHealth(db: Db, report: HealthReport): Promise<string | null> {
  // Compared as jsonb, so the order of keys in stored objects does not make a state look new.
  const inserted: Array<{ id: string }> = await db.query(
    `insert into bpetl.health_history (checked_at, score, status, types, checks)
     select $1, $2, $3, $4::jsonb, $5::jsonb
      where not exists (
        select 1 from (select * from bpetl.health_history order by id desc limit 1) newest
         where newest.score = $2 and newest.status = $3 and newest.types = $4::jsonb and newest.checks = $5::jsonb)
     returning id::text as id`,
    [
      report.checkedAt,
      report.score,
      report.status,
      JSON.stringify(report.types),
      JSON.stringify(report.checks),
    ],
  );
  await db.query(`delete from bpetl.health_history where checked_at < now() - make_interval(days => $1)`, [
    HEALTH_HISTORY_DAYS,
  ]);
  if (inserted[0]) return inserted[0].id;
  // The same state is already the newest entry (another instance, or a restart, recorded it).
  const [newest]: Array<{ id: string }> = await db.query(
    `select id::text as id from bpetl.health_history order by id desc limit 1`,
  );
  return newest?.id ?? null;
}

/** Entries after the entry `after`, oldest first (at most MAX_HISTORY_ENTRIES): a subscriber's catch-up. */
export async function healthHistoryAfter(db: Db, after: string): Promise<HealthHistoryEntry[]> {
  if (!/^\d{1,18}$/.test(after)) {
    throw new AppError('INVALID_INPUT', `after must be a health history id, got "${after}"`, {
      field: 'after',
    });
  }
  const rows: HistoryRow[] = await db.query(
    `select id::text as id, checked_at, score, status, types, checks from bpetl.health_history
      where id > $1::bigint order by id limit $2`,
    [after, MAX_HISTORY_ENTRIES],
  );
  return rows.map(entryOf);
}

function entryOf(r: HistoryRow): HealthHistoryEntry {
  return {
    id: r.id,
    checkedAt: r.checked_at,
    score: r.score,
    status: r.status,
    types: r.types,
    checks: r.checks,
  };
}

interface HistoryRow {
  id: string;
  checked_at: Date;
  score: number;
  status: HealthStatus;
  types: HealthType[];
  checks: HealthCheck[];
}

/** Entries checked at or after `since`, oldest first (the newest MAX_HISTORY_ENTRIES of them). */
export async function listHealthHistory(db: Db, since: Date): Promise<HealthHistoryEntry[]> {
  if (Number.isNaN(since.getTime())) {
    throw new AppError('INVALID_INPUT', 'since must be a timestamp', { field: 'since' });
  }
  const rows: HistoryRow[] = await db.query(
    `select * from (
       select id::text as id, checked_at, score, status, types, checks from bpetl.health_history
        where checked_at >= $1 order by id desc limit $2) newest
      order by id`,
    [since, MAX_HISTORY_ENTRIES],
  );
  return rows.map(entryOf);
}
