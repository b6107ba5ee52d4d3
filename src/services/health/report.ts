import { type Db, ident } from '../../db/sql.ts';
import type { Publisher } from '../../events/pubsub.ts';
import { TOPIC } from '../../events/topics.ts';
import { logger } from '../../logger.ts';
import type { ConstraintIssue } from '../constraints/issue.ts';
import { validateConstraints } from '../constraints/validate.ts';
import { loadProtectionSpec } from '../protection/spec.ts';

export type HealthStatus = 'HEALTHY' | 'DEGRADED' | 'CRITICAL';

export interface HealthType {
  /** Protected data type (polls, availability, practice_times, …). */
  name: string;
  rows: number;
  orphans: number;
}

export interface HealthCheck {
  check: ConstraintIssue['check'];
  issues: number;
  /** Rows affected over all issues of this check. */
  rows: number;
  /** Points this check took off the score. */
  penalty: number;
}

export interface HealthReport {
  score: number;
  status: HealthStatus;
  checkedAt: Date;
  types: HealthType[];
  checks: HealthCheck[];
  issues: ConstraintIssue[];
  /** The health history entry that records this state, when it is recorded (a cursor for `after`). */
  historyId?: string | null;
}

declare module '../../events/topics.ts' {
  interface Topics {
    /** A HealthReport whenever score, status or counts change. */
    healthChanged: [report: HealthReport];
  }
}

/** Checks that make an ID-preserving import unsafe: any of them makes the status CRITICAL. */
const STRUCTURAL = new Set<ConstraintIssue['check']>(['MISSING_CONSTRAINT', 'DUPLICATE_KEY', 'NULL_KEY']);

/** Risks that cost 5 points each: a reference a delete can orphan (or empty) without a trace. */
const MINOR = new Set<ConstraintIssue['check']>([
  'MISSING_FOREIGN_KEY',
  'CASCADE_REFERENCE',
  'UNPROTECTED_REFERENCE',
]);

/**
 * The score (documented in the README, "Health score"): 100 minus
 * - 20 per structural issue (missing natural-key constraint, duplicate keys, NULL keys),
 * - 5 per protected reference without a foreign key or whose foreign key is ON DELETE CASCADE,
 * - 5 per unprotected reference (a reference no detection trigger watches; once when protection is
 *   off), none for one an operator removed on purpose (INFO),
 * - for orphans: 10 + 40 × √(orphaned rows / protected rows), rounded to the nearest point,
 * never below 0. 100 exactly when there are no issues at all.
 *
 * The orphan penalty is continuous in the share and steepest where it starts: on a few thousand
 * protected rows a dozen orphans and five dozen are a few points apart, where a share taken
 * linearly (40 × share) stays under one point until 2.5 % of all rows are orphaned.
 */
export function orphanPenalty(orphans: number, rows: number): number {
  if (orphans <= 0) return 0;
  const share = orphans / Math.max(rows, orphans);
  return Math.min(50, Math.round(10 + 40 * Math.sqrt(share)));
}

/**
 * The status and every issue's severity follow one rule, so the report never contradicts itself
 * (the status is the worst severity listed):
 * - a structural issue is CRITICAL, and so is the status;
 * - any other issue that costs points is WARNING (status DEGRADED), unless the score is below 50:
 *   then together they make the database CRITICAL, and each of them is;
 * - an INFO issue costs nothing and changes nothing: only INFO issues is HEALTHY (score 100).
 */
export function gradeHealth(
  score: number,
  issues: ConstraintIssue[],
): { status: HealthStatus; issues: ConstraintIssue[] } {
  const low = score < 50;
  const graded = issues.map((issue): ConstraintIssue => {
    if (issue.severity === 'INFO') return issue;
    const severity = STRUCTURAL.has(issue.check) || low ? 'CRITICAL' : 'WARNING';
    return severity === issue.severity ? issue : { ...issue, severity };
  });
  const structural = issues.some((i) => STRUCTURAL.has(i.check));
  const status: HealthStatus = score === 100 ? 'HEALTHY' : structural || low ? 'CRITICAL' : 'DEGRADED';
  return { status, issues: graded };
}

export function scoreHealth(issues: ConstraintIssue[], types: HealthType[]): Omit<HealthReport, 'checkedAt'> {
  const rows = types.reduce((n, t) => n + t.rows, 0);
  const orphans = types.reduce((n, t) => n + t.orphans, 0);
  const checks = new Map<ConstraintIssue['check'], HealthCheck>();
  for (const issue of issues) {
    const check = checks.get(issue.check) ?? { check: issue.check, issues: 0, rows: 0, penalty: 0 };
    check.issues += 1;
    check.rows += issue.rows;
    if (STRUCTURAL.has(issue.check)) check.penalty += 20;
    else if (MINOR.has(issue.check) && issue.severity !== 'INFO') check.penalty += 5;
    checks.set(issue.check, check);
  }
  if (orphans > 0) {
    const check = checks.get('ORPHANS') ?? { check: 'ORPHANS', issues: 0, rows: orphans, penalty: 0 };
    check.penalty = orphanPenalty(orphans, rows);
    checks.set('ORPHANS', check);
  }
  const penalty = [...checks.values()].reduce((n, c) => n + c.penalty, 0);
  const score = Math.max(0, 100 - penalty);
  return { score, ...gradeHealth(score, issues), types, checks: [...checks.values()] };
}

let scans = 0;

/** Full health scans this process has started (what the sharing below is judged by). */
export function healthScanCount(): number {
  return scans;
}

/** Scans of one database start at least this far apart, whatever the number of readers. */
export const HEALTH_SCAN_INTERVAL_MS = 1000;

interface SharedScans {
  /** The newest finished report and when its scan started. */
  last: { report: HealthReport; startedAt: number } | null;
  running: { promise: Promise<HealthReport>; startedAt: number } | null;
  /** The next scan, waiting for the running one and for the interval: joined by all who need it. */
  queued: Promise<HealthReport> | null;
  lastStart: number;
}

/** Keyed by the database handle (the app's EntityManager): one set of scans per database. */
const sharedScans = new WeakMap<object, SharedScans>();

/**
 * The health report, shared: every caller within a window gets the same scan, so `health` queries,
 * `healthChanged` subscribers and the watcher together cost at most one scan a second. A report is
 * taken when its scan started at or after `notBefore` (default: HEALTH_SCAN_INTERVAL_MS ago); the
 * watcher passes the time of the change it was told of, so it never publishes a report from before it.
 */
export function sharedHealth(db: Db, options: { notBefore?: number } = {}): Promise<HealthReport> {
  let s = sharedScans.get(db);
  if (!s) {
    s = { last: null, running: null, queued: null, lastStart: -Infinity };
    sharedScans.set(db, s);
  }
  const state = s;
  const notBefore = options.notBefore ?? Date.now() - HEALTH_SCAN_INTERVAL_MS;
  if (state.running && state.running.startedAt >= notBefore) return state.running.promise;
  if (state.last && state.last.startedAt >= notBefore) return Promise.resolve(state.last.report);
  // Any scan still to start begins after now, so it is fresh enough for this caller too.
  if (state.queued) return state.queued;
  const before = state.running?.promise.catch(() => undefined);
  const queued = (async () => {
    await before;
    const wait = state.lastStart + HEALTH_SCAN_INTERVAL_MS - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    state.queued = null;
    const startedAt = Date.now();
    state.lastStart = startedAt;
    const promise = checkHealth(db);
    state.running = { promise, startedAt };
    try {
      const report = await promise;
      if (!state.last || state.last.startedAt <= startedAt) state.last = { report, startedAt };
      return report;
    } finally {
      if (state.running?.promise === promise) state.running = null;
    }
  })();
  state.queued = queued;
  return queued;
}

/**
 * Full health scan: natural keys, foreign keys and every protected reference. Reads only.
 * Orphan counts come from validateConstraints' per-reference anti-joins (its ORPHANS issues), so
 * user data is scanned for them once; rows per type are plain counts.
 */
export async function checkHealth(db: Db): Promise<HealthReport> {
  scans++;
  const issues = await validateConstraints(db);
  const orphansByReference = new Map(
    issues.filter((i) => i.check === 'ORPHANS').map((i) => [i.subject, i.rows] as const),
  );
  const rowCounts = new Map<string, number>();
  const byType = new Map<string, HealthType>();
  for (const ref of await loadProtectionSpec(db)) {
    const where = ref.rowFilter ? ` where (${ref.rowFilter})` : '';
    const key = `${ref.sourceTable}${where}`;
    if (!rowCounts.has(key)) {
      const [{ n }] = await db.query(`select count(*)::int as n from ${ident(ref.sourceTable)}${where}`);
      rowCounts.set(key, n);
    }
    const type = byType.get(ref.dataType) ?? { name: ref.dataType, rows: 0, orphans: 0 };
    // Two references of one table (availability: player and series) count its rows once.
    type.rows = Math.max(type.rows, rowCounts.get(key)!);
    type.orphans += orphansByReference.get(ref.name) ?? 0;
    byType.set(ref.dataType, type);
  }
  const types = [...byType.values()].sort((a, b) => a.name.localeCompare(b.name));
  return { ...scoreHealth(issues, types), checkedAt: new Date() };
}

export interface HealthWatcher {
  /** Asks for a re-check soon (coalesced). */
  poke(): void;
  /** The last report computed, if any. */
  readonly last: HealthReport | null;
  close(): Promise<void>;
}

/** What a change is judged on: the time of the check is not a change. */
/**
 * What makes two reports the same state. Keys are sorted: a state read back from the history
 * (jsonb keeps its own key order) equals the report it was recorded from.
 */
export function fingerprint(report: HealthReport): string {
  return JSON.stringify([report.score, report.status, report.types, report.checks], (_key, value: unknown) =>
    value && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : value,
  );
}

/**
 * Re-checks health when poked (new or resolved orphan events) and on an interval, publishing a
 * report on `healthChanged` (and handing it to `onChange`) whenever it differs from the previous one.
 */
export function startHealthWatcher(
  db: Db,
  pubsub: Publisher,
  options: {
    /** Periodic re-check, default 30 s: catches changes no event announces (a dropped constraint). */
    intervalMs?: number;
    /** Pokes within this window share one check, default 500 ms (a full scan is not free). */
    debounceMs?: number;
    /**
     * Called with each changed report before it is published (the serving process records history):
     * the id it returns goes out with the report, as its cursor.
     */
    onChange?: (report: HealthReport) => Promise<string | null | void>;
  } = {},
): HealthWatcher {
  let last: HealthReport | null = null;
  let pending: NodeJS.Timeout | null = null;
  let pokedAt = 0;
  let running: Promise<void> = Promise.resolve();
  let closed = false;
  const check = () => {
    pending = null;
    const notBefore = pokedAt;
    running = running.then(async () => {
      if (closed) return;
      try {
        // A scan started after the poke sees the change it announced; one already shared may do.
        const report = await sharedHealth(db, { notBefore });
        const changed = !last || fingerprint(report) !== fingerprint(last);
        last = report;
        if (!changed) return;
        const historyId = (await options.onChange?.(report)) ?? null;
        pubsub.publish(TOPIC.healthChanged, { ...report, historyId });
      } catch (err) {
        if (!closed) logger.warn({ err }, 'health check failed');
      }
    });
  };
  const poke = () => {
    if (closed || pending) return;
    pokedAt = Date.now();
    pending = setTimeout(check, options.debounceMs ?? 500);
  };
  const timer = setInterval(poke, options.intervalMs ?? 30_000);
  timer.unref();
  poke();
  return {
    poke,
    get last() {
      return last;
    },
    async close() {
      closed = true;
      clearInterval(timer);
      if (pending) clearTimeout(pending);
      await running;
    },
  };
}
