import type { TestDatabase } from './database.ts';

/**
 * `schema.table` → `rows:md5` of every row of every table in `public` and `bpetl` (the tables the
 * code can touch), but those named in `except` (e.g. the run log, which a failed run writes to by
 * design). Rows are ordered by their text, so the result depends on the data only.
 */
export async function tableChecksums(
  db: Pick<TestDatabase, 'query'>,
  except: string[] = [],
): Promise<Record<string, string>> {
  const tables = await db.query<{ name: string }>(
    `select format('%I.%I', schemaname, tablename) as name from pg_tables
      where schemaname in ('public', 'bpetl') and not (format('%s.%s', schemaname, tablename) = any($1))
      order by 1`,
    [except],
  );
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await db.query<{ sum: string | null; n: number }>(
      `select md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as sum, count(*)::int as n from ${name} t`,
    );
    result[name] = `${row!.n}:${row!.sum}`;
  }
  return result;
}

/** The run log: a run that writes nothing else still records itself and its progress here. */
export const RUN_LOG = ['bpetl.pipeline_runs', 'bpetl.pipeline_events'];

/**
 * What a run that is not a dry run writes whatever its outcome: its run log, and the snapshot it
 * commits on its own connection before its transaction (kept after a failure, for a restore; taking
 * it prunes old ones).
 */
export const RUN_RECORD = [...RUN_LOG, 'bpetl.snapshots', 'bpetl.snapshot_rows'];
