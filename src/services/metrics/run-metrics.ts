import { Counter, Gauge, type Registry } from 'prom-client';

import type { Db } from '../../db/sql.ts';
import { FINAL_STATUSES } from '../pipeline/runs.ts';
import { type HistogramSeries, StoredHistogram } from './histogram.ts';
import type { ReadOnce } from './read-once.ts';

/** Seconds: a step of a small feed takes well under one, a full refresh of a big one minutes. */
export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Runs that failed (not cancelled: that was asked for) count towards a streak of failures. */
const FAILED = ['FAILED', 'ROLLED_BACK'];

interface RunState {
  runs: Array<{ status: string; dry_run: boolean; n: number }>;
  consecutiveFailures: number;
  lastSuccess: Array<{ league: string; ts: number }>;
  /** `stats.import` of the last successful run and of the last run that got through its import. */
  lastSuccessfulImport: Record<string, unknown> | null;
  lastImport: Record<string, unknown> | null;
}

async function readRunState(db: Db): Promise<RunState> {
  const runs: RunState['runs'] = await db.query(
    `select status, dry_run, count(*)::float8 as n from bpetl.pipeline_runs
      where status = any($1::text[]) group by status, dry_run`,
    [FINAL_STATUSES],
  );
  const [streak]: Array<{ n: number }> = await db.query(
    `select count(*)::float8 as n from bpetl.pipeline_runs r
      where not r.dry_run and r.status = any($1::text[])
        and r.id > coalesce((select max(s.id) from bpetl.pipeline_runs s
                              where not s.dry_run and s.status = 'SUCCEEDED'), 0)`,
    [FAILED],
  );
  const lastSuccess: RunState['lastSuccess'] = await db.query(
    `select league, extract(epoch from max(r.finished_at))::float8 as ts
       from bpetl.pipeline_runs r
      cross join lateral jsonb_array_elements_text(
              case jsonb_typeof(r.stats -> 'import' -> 'scope') when 'array' then r.stats -> 'import' -> 'scope'
                   else '[]'::jsonb end) as league
      where r.status = 'SUCCEEDED' and not r.dry_run and r.finished_at is not null
      group by league order by league`,
  );
  const lastImport = async (statuses: readonly string[]) => {
    const [row]: Array<{ import: unknown }> = await db.query(
      `select r.stats -> 'import' as import from bpetl.pipeline_runs r
        where not r.dry_run and r.status = any($1::text[]) and jsonb_typeof(r.stats -> 'import') = 'object'
        order by r.id desc limit 1`,
      [statuses],
    );
    return (row?.import as Record<string, unknown> | undefined) ?? null;
  };
  return {
    runs,
    consecutiveFailures: streak?.n ?? 0,
    lastSuccess,
    lastSuccessfulImport: await lastImport(['SUCCEEDED']),
    lastImport: await lastImport(FINAL_STATUSES),
  };
}

type Totals = Map<string, HistogramSeries>;

/**
 * Durations of the runs with `from < id <= to` (no upper bound when `to` is null), per step and
 * bucket: whole runs (`step="run"`) from the run's row, steps from their STARTED and DONE events.
 */
async function durationTotals(db: Db, from: string, to: string | null): Promise<Totals> {
  const rows: Array<{ step: string; i: number; n: number; count: number; sum: number }> = await db.query(
    `with durations as (
       select 'run'::text as step, extract(epoch from r.finished_at - r.started_at)::float8 as seconds
         from bpetl.pipeline_runs r
        where r.id > $3 and ($4::bigint is null or r.id <= $4)
          and r.status = any($2::text[]) and r.started_at is not null and r.finished_at is not null
       union all
       select e.step, extract(epoch from max(e.at) filter (where e.status = 'DONE')
                                         - min(e.at) filter (where e.status = 'STARTED'))::float8
         from bpetl.pipeline_events e
        where e.run_id > $3 and ($4::bigint is null or e.run_id <= $4)
          and e.status in ('STARTED', 'DONE') and e.step <> 'run'
        group by e.run_id, e.step
       having count(*) filter (where e.status = 'STARTED') > 0 and count(*) filter (where e.status = 'DONE') > 0)
     select d.step, b.i::int as i, (count(*) filter (where d.seconds <= b.le))::float8 as n,
            count(*)::float8 as count, coalesce(sum(d.seconds), 0)::float8 as sum
       from durations d cross join unnest($1::float8[]) with ordinality as b(le, i)
      group by d.step, b.i order by d.step, b.i`,
    [DURATION_BUCKETS, FINAL_STATUSES, from, to],
  );
  const totals: Totals = new Map();
  for (const row of rows) {
    let series = totals.get(row.step);
    if (!series) {
      series = { labels: { step: row.step }, cumulative: [], sum: row.sum, count: row.count };
      totals.set(row.step, series);
    }
    series.cumulative[row.i - 1] = row.n;
  }
  return totals;
}

function addTotals(a: Totals, b: Totals): Totals {
  const sum: Totals = new Map();
  for (const step of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(step);
    const y = b.get(step);
    sum.set(step, {
      labels: { step },
      cumulative: DURATION_BUCKETS.map((_, i) => (x?.cumulative[i] ?? 0) + (y?.cumulative[i] ?? 0)),
      sum: (x?.sum ?? 0) + (y?.sum ?? 0),
      count: (x?.count ?? 0) + (y?.count ?? 0),
    });
  }
  return sum;
}

/**
 * The duration histogram, read incrementally: the durations of runs that have all ended (every
 * run up to the first one still in progress) never change, so they are summed once and kept; each
 * scrape reads only the runs after them, through the events' (run_id, id) index. A restart reads
 * everything once. Never called twice at once (the scrape's ReadOnce shares one call).
 */
function durationReader(db: Db): () => Promise<HistogramSeries[]> {
  let settled: { upTo: bigint; totals: Totals } = { upTo: 0n, totals: new Map() };
  return async () => {
    const [{ upTo }]: Array<{ upTo: string }> = await db.query(
      `select coalesce((select min(id) - 1 from bpetl.pipeline_runs where status <> all($1::text[])),
                       (select max(id) from bpetl.pipeline_runs), 0)::text as "upTo"`,
      [FINAL_STATUSES],
    );
    const ended = BigInt(upTo);
    // Fewer runs than before: another database, or runs removed. Start over.
    if (ended < settled.upTo) settled = { upTo: 0n, totals: new Map() };
    if (ended > settled.upTo) {
      const added = await durationTotals(db, String(settled.upTo), String(ended));
      settled = { upTo: ended, totals: addTotals(settled.totals, added) };
    }
    const recent = await durationTotals(db, String(settled.upTo), null);
    return [...addTotals(settled.totals, recent).values()];
  };
}

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/**
 * Pipeline runs, read from bpetl.pipeline_runs and bpetl.pipeline_events at scrape time: every
 * instance reports the same, and a restart loses nothing.
 */
export function registerRunMetrics(registry: Registry, db: Db, once: ReadOnce): void {
  const state = () => once('runs', () => readRunState(db));
  const durations = durationReader(db);
  new Counter({
    name: 'bpetl_pipeline_runs_total',
    help: 'Pipeline runs that ended, by final status and whether they were dry runs',
    labelNames: ['status', 'dry_run'],
    registers: [registry],
    async collect() {
      const { runs } = await state();
      this.reset();
      for (const status of FINAL_STATUSES) {
        for (const dryRun of [false, true]) {
          const n = runs.find((r) => r.status === status && r.dry_run === dryRun)?.n ?? 0;
          this.inc({ status, dry_run: String(dryRun) }, n);
        }
      }
    },
  });
  new Gauge({
    name: 'bpetl_pipeline_consecutive_failures',
    help: 'Runs (not dry runs) that failed or rolled back since the last successful one',
    registers: [registry],
    async collect() {
      this.set((await state()).consecutiveFailures);
    },
  });
  new StoredHistogram({
    name: 'bpetl_pipeline_run_duration_seconds',
    help: 'How long ended runs took (step="run") and how long each of their steps took',
    buckets: DURATION_BUCKETS,
    read: () => once('durations', durations),
    registers: [registry],
  });
  new Gauge({
    name: 'bpetl_import_last_success_timestamp_seconds',
    help: 'When the last successful run (not a dry run) that refreshed the league ended, in Unix seconds',
    labelNames: ['league'],
    registers: [registry],
    async collect() {
      const { lastSuccess } = await state();
      this.reset();
      for (const { league, ts } of lastSuccess) this.set({ league }, ts);
    },
  });
  new Gauge({
    name: 'bpetl_import_rows',
    help: 'Rows the last successful run (not a dry run) inserted, updated, left unchanged and retired, per table',
    labelNames: ['table', 'action'],
    registers: [registry],
    async collect() {
      const { lastSuccessfulImport } = await state();
      this.reset();
      const tables = lastSuccessfulImport?.tables;
      if (!tables || typeof tables !== 'object') return;
      for (const [table, counts] of Object.entries(tables as Record<string, unknown>)) {
        if (!counts || typeof counts !== 'object') continue;
        for (const [action, value] of Object.entries(counts as Record<string, unknown>)) {
          if (typeof value === 'number') this.set({ table, action }, value);
        }
      }
    },
  });
  new Gauge({
    name: 'bpetl_import_rejected_records',
    help: 'Records the last run (not a dry run) that reached its import step rejected',
    registers: [registry],
    async collect() {
      this.set(count((await state()).lastImport?.rejected));
    },
  });
  new Gauge({
    name: 'bpetl_import_warnings',
    help: 'Warnings the last run (not a dry run) that reached its import step reported',
    registers: [registry],
    async collect() {
      const warnings = (await state()).lastImport?.warnings ?? [];
      this.set(Array.isArray(warnings) ? warnings.length : count(warnings));
    },
  });
}
