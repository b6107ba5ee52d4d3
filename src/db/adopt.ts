import type pg from 'pg';

/**
 * What `migrate` finds in `public` before it changes anything:
 * EMPTY (none of the platform's tables: the tool creates them), MANAGED (the tool migrated it
 * before), PLATFORM (the platform's own tables, of a shape the tool can protect: adopted), MISFIT
 * (some tables present and others missing, or a table of the right name with the wrong shape).
 */
export type DatabaseState = 'EMPTY' | 'MANAGED' | 'PLATFORM' | 'MISFIT';

export interface DatabaseInspection {
  state: DatabaseState;
  /** For MISFIT: one line per thing that does not fit. */
  misfits: string[];
}

type Kind = 'int' | 'text' | 'bool' | 'date' | 'time';

/**
 * The reference tables the import writes, each with the columns it reads or writes and the kind of
 * value it puts there. Columns marked optional may be absent (the import then leaves them out).
 */
const REFERENCE_SHAPE: Record<string, Record<string, Kind | `${Kind}?`>> = {
  leagues: { id: 'int', league_id: 'text', league_name: 'text' },
  clubs: { id: 'int', name: 'text' },
  series: { id: 'int', name: 'text', display_name: 'text', league_id: 'int?' },
  club_leagues: { club_id: 'int', league_id: 'int' },
  series_leagues: { series_id: 'int', league_id: 'int' },
  teams: {
    id: 'int',
    club_id: 'int',
    series_id: 'int',
    league_id: 'int',
    team_name: 'text',
    team_alias: 'text',
    display_name: 'text',
    is_active: 'bool',
  },
  players: {
    id: 'int',
    tenniscores_player_id: 'text',
    first_name: 'text',
    last_name: 'text',
    league_id: 'int',
    club_id: 'int',
    series_id: 'int',
    team_id: 'int',
    is_active: 'bool',
    pti: 'int?',
    wins: 'int?',
    losses: 'int?',
    captain: 'text?',
  },
  schedule: {
    id: 'int',
    league_id: 'int',
    match_date: 'date',
    match_time: 'time',
    home_team: 'text',
    away_team: 'text',
    home_team_id: 'int',
    away_team_id: 'int',
    location: 'text',
  },
  series_stats: { league_id: 'int', series_id: 'int', team_id: 'int', series: 'text', team: 'text' },
};

/** Every table name DESIGN §3 gives the platform: finding none of them means an empty database. */
const PLATFORM_TABLES = [
  ...Object.keys(REFERENCE_SHAPE),
  'users',
  'polls',
  'poll_choices',
  'poll_responses',
  'captain_messages',
  'user_player_associations',
  'player_availability',
  'user_contexts',
  'saved_lineups',
];

/** Catalog types that hold each kind of value (numeric holds a rating, a timestamp a date). */
const KIND_TYPES: Record<Kind, string[]> = {
  int: ['integer', 'bigint', 'smallint', 'numeric'],
  text: ['text', 'character varying', 'character'],
  bool: ['boolean'],
  date: ['date', 'timestamp with time zone', 'timestamp without time zone'],
  time: ['text', 'character varying', 'time without time zone', 'time with time zone'],
};

interface ColumnRow {
  table: string;
  column: string;
  type: string;
  not_null: boolean;
  has_default: boolean;
}

export async function inspectDatabase(client: pg.Client): Promise<DatabaseInspection> {
  const { rows: table } = await client.query<{ e: boolean }>(
    `select to_regclass('bpetl.migrations') is not null as e`,
  );
  if (table[0]?.e) {
    const { rows } = await client.query(`select 1 from bpetl.migrations limit 1`);
    if (rows.length > 0) return { state: 'MANAGED', misfits: [] };
  }
  const { rows: present } = await client.query<{ table: string }>(
    `select c.relname as table from pg_class c
      where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and c.relname = any($1)`,
    [PLATFORM_TABLES],
  );
  if (present.length === 0) return { state: 'EMPTY', misfits: [] };
  const names = new Set(present.map((r) => r.table));
  const missing = Object.keys(REFERENCE_SHAPE).filter((t) => !names.has(t));
  if (missing.length > 0) {
    return {
      state: 'MISFIT',
      misfits: missing.map((t) => `table public.${t} is missing (the platform's other tables are present)`),
    };
  }
  const misfits = shapeMisfits(await referenceColumns(client));
  return { state: misfits.length > 0 ? 'MISFIT' : 'PLATFORM', misfits };
}

async function referenceColumns(client: pg.Client): Promise<ColumnRow[]> {
  const { rows } = await client.query<ColumnRow>(
    `select c.relname as table, a.attname as column, format_type(a.atttypid, null) as type,
            a.attnotnull as not_null, (a.atthasdef or a.attidentity <> '' or a.attgenerated <> '') as has_default
       from pg_attribute a join pg_class c on c.oid = a.attrelid
      where c.relnamespace = 'public'::regnamespace and c.relname = any($1)
        and a.attnum > 0 and not a.attisdropped`,
    [Object.keys(REFERENCE_SHAPE)],
  );
  return rows;
}

/** Columns missing or of another kind, and NOT NULL columns the import could never fill. */
function shapeMisfits(columns: ColumnRow[]): string[] {
  const misfits: string[] = [];
  for (const [table, shape] of Object.entries(REFERENCE_SHAPE)) {
    const actual = new Map(columns.filter((c) => c.table === table).map((c) => [c.column, c]));
    for (const [column, spec] of Object.entries(shape)) {
      const kind = spec.replace('?', '') as Kind;
      const found = actual.get(column);
      if (!found) {
        if (!spec.endsWith('?')) misfits.push(`column ${table}.${column} is missing`);
        continue;
      }
      if (!KIND_TYPES[kind].includes(found.type)) {
        misfits.push(`column ${table}.${column} is ${found.type}; expected ${KIND_TYPES[kind].join(' or ')}`);
      }
    }
    for (const c of actual.values()) {
      if (c.not_null && !c.has_default && !(c.column in shape)) {
        misfits.push(
          `column ${table}.${c.column} is NOT NULL without a default, and the import does not write it`,
        );
      }
    }
    if (shape.id && actual.get('id') && !actual.get('id')!.has_default) {
      misfits.push(`column ${table}.id has no default (serial or identity): the import cannot insert rows`);
    }
  }
  return misfits;
}
