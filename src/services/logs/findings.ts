import type { Db } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';
import type { LogFinding } from '../../logs/types.ts';

export interface LogThreshold {
  /** Occurrences within the window that raise an alert. */
  count: number;
  windowSeconds: number;
}

/**
 * Defaults: one orphan sign is already worth an alert; deadlocks are rare enough that three in five
 * minutes is a pattern; the rest fire on a burst that a single retry storm would produce.
 */
export const DEFAULT_LOG_THRESHOLDS: Readonly<Record<string, LogThreshold>> = {
  ORPHAN_INDICATOR: { count: 1, windowSeconds: 300 },
  DEADLOCK: { count: 3, windowSeconds: 300 },
  UPSERT_FAILURE: { count: 5, windowSeconds: 300 },
  CONNECTION_TIMEOUT: { count: 5, windowSeconds: 300 },
  CONSTRAINT_VIOLATION: { count: 10, windowSeconds: 300 },
  ABORTED_TRANSACTION: { count: 10, windowSeconds: 300 },
};

export interface StoredLogFinding extends LogFinding {
  id: string;
  updatedAt: string;
}

export interface LogAlert {
  id: string;
  category: string;
  /** Occurrences in the window when the alert was raised. */
  count: number;
  threshold: number;
  windowSeconds: number;
  raisedAt: string;
}

export interface RecordOptions {
  /**
   * `add` (default) adds counts: right for the follower, whose saved offsets deliver each occurrence
   * once. `max` keeps the larger count: right for repeated full scans of the same files.
   */
  merge?: 'add' | 'max';
  /** Per category; categories without one never alert. Default DEFAULT_LOG_THRESHOLDS. */
  thresholds?: Record<string, LogThreshold>;
}

export interface RecordResult {
  findings: StoredLogFinding[];
  alerts: LogAlert[];
}

const FINDING_COLUMNS = `id::text, category, fingerprint, count::int as count,
  to_char(first_seen at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "firstSeen",
  to_char(last_seen at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "lastSeen",
  files, sample,
  to_char(updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "updatedAt"`;

const ALERT_COLUMNS = `id::text, category, count::int as count, threshold, window_seconds as "windowSeconds",
  to_char(raised_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "raisedAt"`;

function validate(findings: LogFinding[]): void {
  findings.forEach((f, i) => {
    const bad = !f.fingerprint
      ? 'fingerprint is empty'
      : !f.category
        ? 'category is empty'
        : !Number.isInteger(f.count) || f.count < 1
          ? `count must be a positive integer, got ${f.count}`
          : [f.firstSeen, f.lastSeen].some((t) => t !== null && Number.isNaN(Date.parse(t)))
            ? 'firstSeen/lastSeen is not a timestamp'
            : null;
    if (bad) {
      throw new AppError('INVALID_INPUT', `Log finding ${i} (${f.fingerprint || '?'}): ${bad}`, {
        index: i,
        fingerprint: f.fingerprint,
      });
    }
  });
}

/**
 * Stores findings in one transaction: upserted by fingerprint (counts added or maxed, first/last seen
 * widened, files merged), hits counted per category and minute, and an alert raised for each
 * category whose threshold is reached inside its window (at most one per window). Its statements
 * must commit together, and the alert check holds a transaction lock: `tx` is an open transaction
 * (an EntityManager's, or `withPgTransaction`'s), which may carry more work (the follower's offsets).
 */
export async function recordFindings(
  tx: Db,
  findings: LogFinding[],
  options: RecordOptions = {},
): Promise<RecordResult> {
  validate(findings);
  if (findings.length === 0) return { findings: [], alerts: [] };
  const merge = options.merge ?? 'add';
  const thresholds = options.thresholds ?? DEFAULT_LOG_THRESHOLDS;
  const payload = JSON.stringify(
    findings.map((f) => ({
      fingerprint: f.fingerprint,
      category: f.category,
      count: f.count,
      first_seen: f.firstSeen,
      last_seen: f.lastSeen,
      files: f.files,
      sample: f.sample,
    })),
  );
  const stored = await tx.query<StoredLogFinding[]>(
    `with x as (
         select * from jsonb_to_recordset($1::jsonb) as x(fingerprint text, category text, count bigint,
                first_seen timestamptz, last_seen timestamptz, files text[], sample text)),
       input as (
         select fingerprint, min(category) as category, sum(count) as count, min(first_seen) as first_seen,
                max(last_seen) as last_seen, min(sample) as sample,
                (select array_agg(distinct f order by f) from x x2, unnest(x2.files) f
                  where x2.fingerprint = x.fingerprint) as files
           from x group by fingerprint)
       insert into bpetl.log_findings as t (fingerprint, category, count, first_seen, last_seen, files, sample)
       select fingerprint, category, count, first_seen, last_seen, coalesce(files, '{}'), sample from input
       on conflict (fingerprint) do update set
         count = case when $2 = 'max' then greatest(t.count, excluded.count) else t.count + excluded.count end,
         first_seen = least(t.first_seen, excluded.first_seen),
         last_seen = greatest(t.last_seen, excluded.last_seen),
         files = (select array_agg(distinct f order by f) from unnest(t.files || excluded.files) f),
         updated_at = now()
       returning ${FINDING_COLUMNS}`,
    [payload, merge],
  );
  if (merge === 'add') {
    await tx.query(
      `insert into bpetl.log_finding_hits as h (category, bucket, count)
         select category, date_trunc('minute', coalesce(last_seen, now())), sum(count)
           from jsonb_to_recordset($1::jsonb) as x(category text, count bigint, last_seen timestamptz)
          group by 1, 2
         on conflict (category, bucket) do update set count = h.count + excluded.count`,
      [payload],
    );
  }
  const categories = [...new Set(findings.map((f) => f.category))].filter((c) => thresholds[c]);
  const alerts: LogAlert[] = [];
  for (const category of categories) {
    const alert = await raiseIfOverThreshold(tx, category, thresholds[category]!);
    if (alert) alerts.push(alert);
  }
  return { findings: stored, alerts };
}

async function raiseIfOverThreshold(
  tx: Db,
  category: string,
  threshold: LogThreshold,
): Promise<LogAlert | null> {
  // Serialises checkers of one category, so two followers cannot both raise the same alert.
  await tx.query(`select pg_advisory_xact_lock(hashtext('bpetl.log_alert:' || $1))`, [category]);
  const [alert] = await tx.query<LogAlert[]>(
    `with hits as (
       select coalesce(sum(count), 0) as n from bpetl.log_finding_hits
        where category = $1::text and bucket > now() - make_interval(secs => $3::int))
     insert into bpetl.log_alerts (category, count, threshold, window_seconds)
     select $1::text, hits.n, $2::int, $3::int from hits
      where hits.n >= $2::int
        and not exists (select 1 from bpetl.log_alerts a
                         where a.category = $1::text and a.raised_at > now() - make_interval(secs => $3::int))
     returning ${ALERT_COLUMNS}`,
    [category, threshold.count, threshold.windowSeconds],
  );
  return alert ?? null;
}

export interface ListLogFindingsOptions {
  category?: string | null;
  /** Findings last seen (or, without timestamps, updated) at or after this time. */
  since?: Date | string | null;
  /** Default 50, at most 500. */
  first?: number | null;
}

/** Findings, most recently seen first (the `logFindings(category, since, first)` query). */
export async function listLogFindings(
  db: Db,
  options: ListLogFindingsOptions = {},
): Promise<StoredLogFinding[]> {
  const first = options.first ?? 50;
  if (!Number.isInteger(first) || first < 1 || first > 500) {
    throw new AppError('INVALID_INPUT', `first must be an integer from 1 to 500, got ${first}`, {
      field: 'first',
    });
  }
  const since = options.since == null ? null : new Date(options.since);
  if (since && Number.isNaN(since.getTime())) {
    throw new AppError('INVALID_INPUT', `since is not a timestamp: ${String(options.since)}`, {
      field: 'since',
    });
  }
  return db.query<StoredLogFinding[]>(
    `select ${FINDING_COLUMNS} from bpetl.log_findings
      where ($1::text is null or category = $1)
        and ($2::timestamptz is null or coalesce(last_seen, updated_at) >= $2)
      order by last_seen desc nulls last, id desc
      limit $3`,
    [options.category ?? null, since?.toISOString() ?? null, first],
  );
}

/** Findings by id, for a subscriber that was told ids by a notification. */
export async function getLogFindings(db: Db, ids: (string | number)[]): Promise<StoredLogFinding[]> {
  if (ids.length === 0) return [];
  return db.query<StoredLogFinding[]>(
    `select ${FINDING_COLUMNS} from bpetl.log_findings where id = any($1::bigint[]) order by id`,
    [ids.map(String)],
  );
}

/** Alerts after the id `after` (replay for `logAlert(category)`), oldest first. */
export async function listLogAlerts(
  db: Db,
  options: { category?: string | null; after?: string | number | null; first?: number } = {},
): Promise<LogAlert[]> {
  return db.query<LogAlert[]>(
    `select ${ALERT_COLUMNS} from bpetl.log_alerts
      where ($1::text is null or category = $1) and id > coalesce($2::bigint, 0)
      order by id limit $3`,
    [options.category ?? null, options.after == null ? null : String(options.after), options.first ?? 100],
  );
}

export interface StoredOffset {
  dev: string;
  ino: string;
  path: string;
  offset: number;
}

/** Saved follow offsets, by file identity. */
export async function loadLogOffsets(db: Db): Promise<StoredOffset[]> {
  return db.query<StoredOffset[]>(
    `select dev::text, ino::text, path, "offset"::float8 as "offset" from bpetl.log_offsets order by path`,
  );
}

/** Saves offsets (upsert by dev+inode); run it in the transaction that records the findings read. */
export async function saveLogOffsets(db: Db, offsets: StoredOffset[]): Promise<void> {
  if (offsets.length === 0) return;
  await db.query(
    `insert into bpetl.log_offsets as o (dev, ino, path, "offset")
     select dev, ino, path, "offset" from jsonb_to_recordset($1::jsonb)
         as x(dev bigint, ino bigint, path text, "offset" bigint)
     on conflict (dev, ino) do update set path = excluded.path, "offset" = excluded."offset", updated_at = now()`,
    [JSON.stringify(offsets)],
  );
}
