import type { DataSource } from 'typeorm';

import { type Db, ident } from '../../db/sql.ts';
import { openLockedTransaction } from '../step/transaction.ts';

/**
 * The tables the demo writes, children before parents (the order rows are removed in), each with
 * the column that identifies a row.
 */
export const DEMO_TABLES = [
  // User data (generator/user-data.ts); user_contexts goes with its user (on delete cascade).
  { table: 'saved_lineups', key: 'id' },
  { table: 'player_availability', key: 'id' },
  { table: 'user_player_associations', key: 'id' },
  { table: 'captain_messages', key: 'id' },
  { table: 'poll_responses', key: 'id' },
  { table: 'poll_choices', key: 'id' },
  { table: 'polls', key: 'id' },
  { table: 'user_contexts', key: 'user_id' },
  { table: 'users', key: 'id' },
  // Reference data (the demo feed through the pipeline); schedule holds the demo's practices too.
  { table: 'series_stats', key: 'id' },
  { table: 'schedule', key: 'id' },
  { table: 'players', key: 'id' },
  { table: 'teams', key: 'id' },
  { table: 'series_leagues', key: 'id' },
  { table: 'club_leagues', key: 'id' },
  { table: 'series', key: 'id' },
  { table: 'clubs', key: 'id' },
  { table: 'leagues', key: 'id' },
] as const;

const REFERENCE_TABLES = DEMO_TABLES.slice(DEMO_TABLES.findIndex((t) => t.table === 'series_stats'));

/** Of the demo tables, those this database has with their key column (an adopted one may differ). */
async function presentTables(db: Db, tables: readonly { table: string; key: string }[]) {
  const rows: Array<{ table: string; key: string }> = await db.query(
    `select c.table_name as table, c.column_name as key
       from information_schema.columns c
      where c.table_schema = current_schema() and (c.table_name, c.column_name) in
            (select * from unnest($1::text[], $2::text[]))`,
    [tables.map((t) => t.table), tables.map((t) => t.key)],
  );
  const present = new Set(rows.map((r) => `${r.table}.${r.key}`));
  return tables.filter((t) => present.has(`${t.table}.${t.key}`));
}

/** The highest key of each reference table at a moment: rows above it were created later. */
export interface DemoMark {
  at: Date;
  max: Record<string, number>;
}

/** Taken before the demo's pipeline run starts. */
export async function markReferenceRows(db: Db): Promise<DemoMark> {
  const [{ at }]: Array<{ at: Date }> = await db.query(`select clock_timestamp() as at`);
  const max: Record<string, number> = {};
  for (const { table, key } of await presentTables(db, REFERENCE_TABLES)) {
    const [row]: Array<{ max: string | null }> = await db.query(
      `select max(${ident(key)})::text as max from ${ident(table)}`,
    );
    max[table] = Number(row?.max ?? 0);
  }
  return { at, max };
}

/**
 * Records the reference rows the demo's run created: those above the mark, when no other run
 * committed rows since it (they would be above the mark too). Returns the rows recorded, or null
 * when another run came in between and the demo's rows cannot be told apart.
 */
export async function recordReferenceRows(db: Db, mark: DemoMark, runId: string): Promise<number | null> {
  // A lone importTeams step leaves no run to see; it would have to commit in the moment between
  // the mark and the demo's run taking the import lock.
  const [others]: Array<{ n: number }> = await db.query(
    `select count(*)::int as n from bpetl.pipeline_runs
      where id <> $1::bigint and status = 'SUCCEEDED' and not dry_run and finished_at >= $2`,
    [runId, mark.at],
  );
  if (others!.n > 0) return null;
  let recorded = 0;
  for (const { table, key } of await presentTables(db, REFERENCE_TABLES)) {
    if (!(table in mark.max)) continue;
    const [added]: Array<{ n: number }> = await db.query(
      `with added as (
         insert into bpetl.demo_rows (table_name, row_id)
         select $1, ${ident(key)} from ${ident(table)} where ${ident(key)} > $2
         on conflict do nothing returning 1)
       select count(*)::int as n from added`,
      [table, mark.max[table]],
    );
    recorded += added!.n;
  }
  return recorded;
}

/**
 * Records the rows the current transaction inserted (the demo's user data seeding, in `tx`): user
 * tables, and the practice rows it adds to schedule.
 */
export async function recordUserRows(tx: Db): Promise<number> {
  let recorded = 0;
  for (const { table, key } of await presentTables(tx, DEMO_TABLES)) {
    const [added]: Array<{ n: number }> = await tx.query(
      `with added as (
         insert into bpetl.demo_rows (table_name, row_id)
         select $1, ${ident(key)} from ${ident(table)} where xmin = pg_current_xact_id()::xid
         on conflict do nothing returning 1)
       select count(*)::int as n from added`,
      [table],
    );
    recorded += added!.n;
  }
  return recorded;
}

export interface DemoRemoval {
  /** Rows deleted, per table (tables with none are left out). */
  removed: Record<string, number>;
  /** Demo rows kept because rows the demo did not create refer to them, per table. */
  kept: Record<string, number>;
  /** Of those kept, the teams and players retired (is_active = false), as an import would retire them. */
  retired: Record<string, number>;
  /** The demo was loaded, but by a version that did not record its rows: nothing could be told apart. */
  unrecorded: boolean;
}

/** Foreign keys (single-column) pointing at `table`: who could still refer to a demo row. */
async function referencesTo(db: Db, table: string) {
  return (await db.query(
    `select n.nspname as schema, child.relname as table, a.attname as column, pa.attname as target
       from pg_constraint c
       join pg_class child on child.oid = c.conrelid
       join pg_namespace n on n.oid = child.relnamespace
       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
       join pg_attribute pa on pa.attrelid = c.confrelid and pa.attnum = c.confkey[1]
      where c.contype = 'f' and cardinality(c.conkey) = 1
        and c.confrelid = (quote_ident(current_schema()) || '.' || quote_ident($1))::regclass`,
    [table],
  )) as Array<{ schema: string; table: string; column: string; target: string }>;
}

/** How many rows the demo recorded, per table. */
export async function demoRowCounts(db: Db): Promise<Record<string, number>> {
  const rows: Array<{ table_name: string; n: number }> = await db.query(
    `select table_name, count(*)::int as n from bpetl.demo_rows group by table_name`,
  );
  return Object.fromEntries(rows.map((r) => [r.table_name, r.n]));
}

/** Active teams, per league code, that the demo created, of the leagues in $1. */
const ACTIVE_DEMO_TEAMS = `
  select l.league_id as league, count(*)::int as n
    from teams t
    join leagues l on l.id = t.league_id
    join bpetl.demo_rows d on d.table_name = 'teams' and d.row_id = t.id
   where t.is_active and l.league_id = any ($1::text[])
   group by l.league_id`;

/**
 * Deletes the rows the demo created, in one transaction under the import lock (an import running
 * meanwhile gets IMPORT_IN_PROGRESS, and this waits for none). A demo row that a row the demo did
 * not create still refers to (a real team in a demo league, a poll a real user added) is kept and
 * counted. The demo stays marked as loaded, so a server's next start does not load it again.
 */
export async function removeDemoRows(db: DataSource, demoSetting: string): Promise<DemoRemoval> {
  const open = await openLockedTransaction(db);
  try {
    const tx = open.tx;
    const [state]: Array<{ loaded: boolean; recorded: boolean }> = await tx.query(
      `select exists (select 1 from bpetl.settings where key = $1 and value->'removedAt' is null) as loaded,
              exists (select 1 from bpetl.demo_rows) as recorded`,
      [demoSetting],
    );
    const removal: DemoRemoval = {
      removed: {},
      kept: {},
      retired: {},
      unrecorded: state!.loaded && !state!.recorded,
    };
    {
      for (const { table, key } of await presentTables(tx, DEMO_TABLES)) {
        const refs = (await referencesTo(tx, table)).filter((r) => r.target === key);
        const stillReferred = refs
          .map(
            (r) =>
              `exists (select 1 from ${ident(r.schema)}.${ident(r.table)} x where x.${ident(r.column)} = t.${ident(key)})`,
          )
          .join(' or ');
        // Counted by a select around it: a bare DELETE's result is not its rows through TypeORM.
        const [deleted]: Array<{ n: number }> = await tx.query(
          `with gone as (
             delete from ${ident(table)} t using bpetl.demo_rows d
              where d.table_name = $1 and d.row_id = t.${ident(key)}${stillReferred ? ` and not (${stillReferred})` : ''}
             returning 1)
           select count(*)::int as n from gone`,
          [table],
        );
        // Rows gone another way (a cascade, a hand-made delete) are forgotten with those deleted.
        await tx.query(
          `delete from bpetl.demo_rows d where d.table_name = $1
              and not exists (select 1 from ${ident(table)} t where t.${ident(key)} = d.row_id)`,
          [table],
        );
        const [left]: Array<{ n: number }> = await tx.query(
          `select count(*)::int as n from bpetl.demo_rows where table_name = $1`,
          [table],
        );
        if (deleted!.n > 0) removal.removed[table] = deleted!.n;
        if (left!.n > 0) removal.kept[table] = left!.n;
      }
      // A demo team kept for a real poll must not stand in a real feed's way (the shrink guard).
      for (const table of ['teams', 'players']) {
        if (!(table in removal.kept)) continue;
        const [retired]: Array<{ n: number }> = await tx.query(
          `with retired as (
             update ${ident(table)} t set is_active = false, updated_at = now()
               from bpetl.demo_rows d
              where d.table_name = $1 and d.row_id = t.id and t.is_active
             returning 1)
           select count(*)::int as n from retired`,
          [table],
        );
        if (retired!.n > 0) removal.retired[table] = retired!.n;
      }
      await tx.query(
        `update bpetl.settings set value = value || jsonb_build_object('removedAt', now()), updated_at = now()
          where key = $1`,
        [demoSetting],
      );
    }
    await open.commit();
    return removal;
  } catch (err) {
    await open.rollback();
    throw err;
  }
}

/**
 * For a SHRINK_GUARD message: which of the shrinking leagues' active teams are demo data, and how
 * to remove them; '' when none are. `client`: the import's pg client, in its transaction.
 */
export async function demoShrinkNote(
  client: { query(sql: string, params: unknown[]): Promise<{ rows: unknown[] }> },
  shrinking: Array<{ league: string; active: number }>,
): Promise<string> {
  if (shrinking.length === 0) return '';
  const { rows } = await client.query(ACTIVE_DEMO_TEAMS, [shrinking.map((s) => s.league)]);
  const demo = Object.fromEntries((rows as Array<{ league: string; n: number }>).map((r) => [r.league, r.n]));
  const parts = shrinking
    .filter((s) => (demo[s.league] ?? 0) > 0)
    .map((s) =>
      demo[s.league]! >= s.active
        ? `all ${s.active} active teams of ${s.league} are demo data`
        : `${demo[s.league]} of the ${s.active} active teams of ${s.league} are demo data`,
    );
  if (parts.length === 0) return '';
  const note = parts.join(', ');
  return `. ${note[0]!.toUpperCase()}${note.slice(1)} (loaded by \`bpetl demo\` or a server's first start): \`bpetl demo --remove\` deletes it, then import again`;
}
