import type { Db } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';

/** Occurrences of one category on one day (UTC), as the log monitor counted them when it read them. */
export interface LogOccurrences {
  category: string;
  day: Date;
  count: number;
}

/**
 * Occurrences per category and day since `since`, from the per-minute hits the follower records
 * with every batch (bpetl.log_finding_hits): the counts of each day, not of the day a finding was
 * last seen. Full rescans (`bpetl logs`) keep the larger count of a finding and record no hits.
 */
export async function listLogOccurrences(db: Db, since: Date): Promise<LogOccurrences[]> {
  if (Number.isNaN(since.getTime())) {
    throw new AppError('INVALID_INPUT', 'since must be a timestamp', { field: 'since' });
  }
  const rows: Array<{ category: string; day: Date; count: string }> = await db.query(
    `select category, date_trunc('day', bucket at time zone 'UTC') at time zone 'UTC' as day, sum(count) as count
       from bpetl.log_finding_hits
      where bucket >= date_trunc('day', $1::timestamptz at time zone 'UTC') at time zone 'UTC'
      group by 1, 2
      order by 2, 1`,
    [since],
  );
  return rows.map((r) => ({ category: r.category, day: r.day, count: Number(r.count) }));
}
