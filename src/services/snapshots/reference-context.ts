import { type Db, ident } from '../../db/sql.ts';
import { type ProtectedReference } from '../protection/spec.ts';

/**
 * The natural-key context of a referenced row: what snapshots store and what re-matching joins on.
 * Column order is the order of bpetl.snapshot_rows' context columns.
 */
export const CONTEXT_COLUMNS = [
  'league',
  'club',
  'club_key',
  'series',
  'team_name',
  'team_alias',
  'practice_name',
  'external_id',
  'first_name',
  'last_name',
] as const;

export type ContextColumn = (typeof CONTEXT_COLUMNS)[number];

/** Context as callers pass it (camelCase keys; `club_key` is derived from `club` when absent). */
export type ReferenceContext = Partial<Record<CamelContext, string | null>>;
type CamelContext =
  | 'league'
  | 'club'
  | 'clubKey'
  | 'series'
  | 'teamName'
  | 'teamAlias'
  | 'practiceName'
  | 'externalId'
  | 'firstName'
  | 'lastName';

export const CAMEL_CONTEXT: Record<ContextColumn, CamelContext> = {
  league: 'league',
  club: 'club',
  club_key: 'clubKey',
  series: 'series',
  team_name: 'teamName',
  team_alias: 'teamAlias',
  practice_name: 'practiceName',
  external_id: 'externalId',
  first_name: 'firstName',
  last_name: 'lastName',
};

/** SQL pieces that describe, for one source alias, what its reference points at today. */
export interface ContextSql {
  /** Left joins from the source alias to the referenced row and its league/club/series. */
  joins: string;
  /** One expression per CONTEXT_COLUMNS entry. */
  columns: Record<ContextColumn, string>;
  /** True when the referenced row exists. */
  exists: string;
  /** True when the referenced row is active (not retired). */
  active: string;
  /** The columns that identify the referenced row's natural key (compared by restore). */
  naturalKey: ContextColumn[];
}

const NONE: Record<ContextColumn, string> = Object.fromEntries(
  CONTEXT_COLUMNS.map((c) => [c, 'null::text']),
) as Record<ContextColumn, string>;

/** What of the referenced tables' shape the context depends on (see seriesHaveLeague). */
export interface ContextShape {
  seriesHaveLeague: boolean;
}

/**
 * The league of series `alias`: its own column, else its only series_leagues link (the platform
 * keeps series names unique across leagues and links them).
 */
function seriesLeagueJoin(alias: string, p: string, shape: ContextShape): { join: string; code: string } {
  const linked = `left join (select sl.series_id, min(l.league_id) as league_id
                               from series_leagues sl join leagues l on l.id = sl.league_id
                              group by sl.series_id having count(distinct l.league_id) = 1) ${p}sl
                    on ${p}sl.series_id = ${alias}.id`;
  if (!shape.seriesHaveLeague) return { join: linked, code: `${p}sl.league_id` };
  return {
    join: `left join leagues ${p}l on ${p}l.id = ${alias}.league_id ${linked}`,
    code: `coalesce(${p}l.league_id, ${p}sl.league_id)`,
  };
}

/**
 * Builds the context joins for one protection-spec entry. `value` is the SQL of the reference value
 * (e.g. `s."team_id"`); `p` prefixes the join aliases so several can coexist in one statement.
 * The shape of the referenced tables is the strategy's knowledge; source tables come from the spec.
 */
export function contextSql(
  ref: ProtectedReference,
  value: string,
  p = 'c',
  shape: ContextShape = { seriesHaveLeague: true },
): ContextSql {
  const target = ident(ref.targetTable);
  const targetCol = ident(ref.targetColumn);
  const leagueClubSeries = (row: string) =>
    `left join leagues ${p}l on ${p}l.id = ${row}.league_id
     left join (select id, name, bpetl.name_key(name) as name_key from clubs offset 0) ${p}c
       on ${p}c.id = ${row}.club_id
     left join series ${p}s on ${p}s.id = ${row}.series_id`;
  switch (ref.rematch) {
    case 'team':
    case 'practice': {
      const practice = ref.rematch === 'practice';
      return {
        joins: `left join ${target} ${p}t on ${p}t.${targetCol} = ${value} ${leagueClubSeries(`${p}t`)}`,
        columns: {
          ...NONE,
          league: `${p}l.league_id`,
          club: `${p}c.name`,
          club_key: `${p}c.name_key`,
          series: `${p}s.name`,
          team_name: `${p}t.team_name`,
          team_alias: `${p}t.team_alias`,
          // A practice row names its club and series itself: `<Club> Practice - <Series>`.
          practice_name: practice ? 's.home_team' : 'null::text',
        },
        exists: `${p}t.id is not null`,
        active: `coalesce(${p}t.is_active, true)`,
        naturalKey: ['league', 'club_key', 'series'],
      };
    }
    case 'player':
      return {
        joins: `left join ${target} ${p}t on ${p}t.${targetCol} = ${value} ${leagueClubSeries(`${p}t`)}`,
        columns: {
          ...NONE,
          league: `${p}l.league_id`,
          club: `${p}c.name`,
          club_key: `${p}c.name_key`,
          series: `${p}s.name`,
          external_id: `${p}t.tenniscores_player_id`,
          first_name: `${p}t.first_name`,
          last_name: `${p}t.last_name`,
        },
        exists: `${p}t.id is not null`,
        active: `coalesce(${p}t.is_active, true)`,
        naturalKey: ['external_id', 'league', 'club_key', 'series'],
      };
    case 'series': {
      const league = seriesLeagueJoin(`${p}t`, p, shape);
      return {
        joins: `left join ${target} ${p}t on ${p}t.${targetCol} = ${value} ${league.join}`,
        columns: { ...NONE, league: league.code, series: `${p}t.name` },
        exists: `${p}t.id is not null`,
        active: 'true',
        naturalKey: ['series', 'league'],
      };
    }
    case 'club':
      return {
        joins: `left join ${target} ${p}t on ${p}t.${targetCol} = ${value}`,
        columns: { ...NONE, club: `${p}t.name`, club_key: `bpetl.name_key(${p}t.name)` },
        exists: `${p}t.id is not null`,
        active: 'true',
        naturalKey: ['club_key'],
      };
    case 'league':
      return {
        joins: `left join ${target} ${p}t on ${p}t.${targetCol} = ${value}`,
        columns: { ...NONE, league: `${p}t.league_id` },
        exists: `${p}t.id is not null`,
        active: 'true',
        naturalKey: ['league'],
      };
    case 'external_player':
      // The value is itself the natural key; it is valid while any player carries it.
      return {
        joins: '',
        columns: { ...NONE, external_id: `${value}::text` },
        exists: `exists (select 1 from ${target} ${p}t where ${p}t.${targetCol} = ${value})`,
        active: 'true',
        naturalKey: ['external_id'],
      };
  }
}

/**
 * The column that names a row of `table`: `id` when it has one, else its single-column primary key
 * (user_contexts is keyed by user_id), else the `bpetl_id` adoption gave it. Read from the catalog
 * by bpetl.row_key, the triggers' own definition, so legacy shapes work too.
 */
export async function rowKeyColumn(db: Db, table: string): Promise<string> {
  const [row]: Array<{ column: string | null }> = await db.query(`select bpetl.row_key($1) as column`, [
    table,
  ]);
  if (!row?.column) {
    throw new Error(`Protected table ${table} has neither an id column nor a one-column primary key`);
  }
  return row.column;
}

/** SQL type of a column (from the catalog), for casting text values back on update. */
export async function columnType(db: Db, table: string, column: string): Promise<string> {
  const rows: Array<{ type: string }> = await db.query(
    `select format_type(a.atttypid, a.atttypmod) as type from pg_attribute a
      where a.attrelid = to_regclass($1) and a.attname = $2 and not a.attisdropped`,
    [`public.${table}`, column],
  );
  if (!rows[0]) throw new Error(`Column ${table}.${column} does not exist`);
  return rows[0].type;
}
