import type { ProtectedReference, RematchStrategy } from './spec.ts';

/** Anything that runs one statement and returns its rows (an EntityManager, a wrapped pg client). */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** A protection-spec entry as discovery proposes it (the spec table's own shape). */
export type DiscoveredReference = ProtectedReference;

/** A built-in entry that does not apply here, and why. */
export interface SkippedReference {
  name: string;
  reason: string;
}

export interface DiscoveryPlan {
  entries: DiscoveredReference[];
  skipped: SkippedReference[];
  /** The entries an operator removed (listed in `skipped` too), as discovery would have them. */
  excluded: DiscoveredReference[];
}

export interface DiscoveryResult extends DiscoveryPlan {
  added: string[];
  removed: string[];
}

/**
 * Reference data: refreshed by the import, so links between these tables (players.team_id,
 * series_stats, match_scores, player_history, fixture rows of schedule) are not user data.
 */
export const REFERENCE_TABLES = [
  'leagues',
  'clubs',
  'series',
  'club_leagues',
  'series_leagues',
  'teams',
  'players',
  'schedule',
  'series_stats',
  'match_scores',
  'player_history',
] as const;

/** How a dangling value into each referenced table is re-matched. */
export const REMATCH_BY_TARGET: Record<string, RematchStrategy> = {
  teams: 'team',
  players: 'player',
  series: 'series',
  clubs: 'club',
  leagues: 'league',
};

/** The user-data type each known reference belongs to in the health report; else its table. */
const DATA_TYPES: Record<string, string> = {
  'schedule.home_team_id': 'practice_times',
  'user_player_associations.tenniscores_player_id': 'player_associations',
  'player_availability.player_id': 'availability',
  'player_availability.series_id': 'availability',
};

type BuiltIn = Omit<DiscoveredReference, 'name' | 'dataType' | 'nullable' | 'origin' | 'onDelete'>;

/**
 * References that have no foreign key on the platform (or may lack one), from DESIGN §3. A practice
 * time is a schedule row without an away side: fixture rows of the same table are reference data.
 */
const BUILT_IN: BuiltIn[] = [
  ref('polls', 'team_id', 'teams', 'id', 'team'),
  ref('poll_responses', 'player_id', 'players', 'id', 'player'),
  ref('captain_messages', 'team_id', 'teams', 'id', 'team'),
  {
    ...ref('schedule', 'home_team_id', 'teams', 'id', 'practice'),
    rowFilter: `coalesce(away_team, '') = ''`,
  },
  ref(
    'user_player_associations',
    'tenniscores_player_id',
    'players',
    'tenniscores_player_id',
    'external_player',
  ),
  ref('player_availability', 'player_id', 'players', 'id', 'player'),
  ref('player_availability', 'series_id', 'series', 'id', 'series'),
  ref('user_contexts', 'active_team_id', 'teams', 'id', 'team'),
  ref('saved_lineups', 'team_id', 'teams', 'id', 'team'),
];

function ref(
  sourceTable: string,
  sourceColumn: string,
  targetTable: string,
  targetColumn: string,
  rematch: RematchStrategy,
): BuiltIn {
  return { sourceTable, sourceColumn, targetTable, targetColumn, rematch, rowFilter: null };
}

const ON_DELETE: Record<string, string> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

interface ForeignKeyRow {
  source_table: string;
  source_column: string;
  target_table: string;
  target_column: string;
  not_null: boolean;
  on_delete: string;
}

async function rows<T>(db: Queryable, sql: string, params?: unknown[]): Promise<T[]> {
  return (await db.query(sql, params)) as T[];
}

/** Single-column foreign keys from a table that is not reference data into a reference table. */
async function foreignKeys(db: Queryable): Promise<ForeignKeyRow[]> {
  return rows<ForeignKeyRow>(
    db,
    `select distinct on (src.relname, a.attname)
            src.relname::text as source_table, a.attname::text as source_column,
            tgt.relname::text as target_table, ta.attname::text as target_column,
            a.attnotnull as not_null, c.confdeltype::text as on_delete
       from pg_constraint c
       join pg_class src on src.oid = c.conrelid
       join pg_class tgt on tgt.oid = c.confrelid
       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
       join pg_attribute ta on ta.attrelid = c.confrelid and ta.attnum = c.confkey[1]
      where c.contype = 'f' and cardinality(c.conkey) = 1
        and src.relnamespace = 'public'::regnamespace and tgt.relnamespace = 'public'::regnamespace
        and tgt.relname = any($1) and not src.relname = any($2)
      order by src.relname, a.attname, c.confdeltype = 'c' desc, c.conname`,
    [Object.keys(REMATCH_BY_TARGET), REFERENCE_TABLES],
  );
}

/** Which of `table.column` pairs exist, with their NOT NULL flag. */
async function existingColumns(db: Queryable, names: string[]): Promise<Map<string, boolean>> {
  const found = await rows<{ name: string; not_null: boolean }>(
    db,
    `select c.relname || '.' || a.attname as name, a.attnotnull as not_null
       from pg_attribute a join pg_class c on c.oid = a.attrelid
      where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
        and a.attnum > 0 and not a.attisdropped and c.relname || '.' || a.attname = any($1)`,
    [names],
  );
  return new Map(found.map((r) => [r.name, r.not_null]));
}

/**
 * What the spec should hold, read from the catalog: every foreign key from user data into a
 * reference table, plus the built-in references whose columns exist. Operator entries and
 * exclusions are the spec table's own; this changes nothing.
 */
export async function planDiscovery(db: Queryable): Promise<DiscoveryPlan> {
  const excluded = new Set(
    (await rows<{ name: string }>(db, `select name from bpetl.protection_exclusions`)).map((r) => r.name),
  );
  const operator = await rows<{ source_table: string; source_column: string }>(
    db,
    `select source_table, source_column from bpetl.protected_references where origin = 'OPERATOR'`,
  );
  const taken = new Set(operator.map((r) => `${r.source_table}.${r.source_column}`));
  const entries = new Map<string, DiscoveredReference>();
  const skipped: SkippedReference[] = [];
  for (const fk of await foreignKeys(db)) {
    const name = `${fk.source_table}.${fk.source_column}`;
    if (taken.has(name)) continue;
    entries.set(name, {
      name,
      dataType: DATA_TYPES[name] ?? fk.source_table,
      sourceTable: fk.source_table,
      sourceColumn: fk.source_column,
      targetTable: fk.target_table,
      targetColumn: fk.target_column,
      nullable: !fk.not_null,
      rematch:
        fk.target_column === 'tenniscores_player_id'
          ? 'external_player'
          : REMATCH_BY_TARGET[fk.target_table]!,
      rowFilter: null,
      origin: 'FOREIGN_KEY',
      onDelete: ON_DELETE[fk.on_delete] ?? null,
    });
  }
  const names = BUILT_IN.flatMap((b) => [
    `${b.sourceTable}.${b.sourceColumn}`,
    `${b.targetTable}.${b.targetColumn}`,
  ]);
  const columns = await existingColumns(db, names);
  for (const b of BUILT_IN) {
    const name = `${b.sourceTable}.${b.sourceColumn}`;
    const reason = !columns.has(name)
      ? `column ${name} does not exist`
      : !columns.has(`${b.targetTable}.${b.targetColumn}`)
        ? `column ${b.targetTable}.${b.targetColumn} does not exist`
        : null;
    if (reason) skipped.push({ name, reason });
    if (reason || taken.has(name)) continue;
    const fk = entries.get(name);
    // A foreign key names the reference already; the built-in adds what the catalog cannot say.
    entries.set(name, {
      ...b,
      name,
      dataType: DATA_TYPES[name] ?? b.sourceTable,
      nullable: !columns.get(name),
      origin: fk ? 'FOREIGN_KEY' : 'BUILT_IN',
      onDelete: fk?.onDelete ?? null,
    });
  }
  for (const table of await unkeyableTables(db, [
    ...new Set([...entries.values()].map((e) => e.sourceTable)),
  ])) {
    for (const entry of [...entries.values()].filter((e) => e.sourceTable === table.name)) {
      entries.delete(entry.name);
      skipped.push({
        name: entry.name,
        reason: `${table.name} rows are named by ${table.key} (${table.type}), not an integer`,
      });
    }
  }
  // What an operator removed stays out; it is kept aside, so validation can name what it points at.
  const removed: DiscoveredReference[] = [];
  for (const name of excluded) {
    const entry = entries.get(name);
    if (!entry) continue;
    entries.delete(name);
    removed.push(entry);
    skipped.push({ name, reason: 'removed by an operator' });
  }
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  return { entries: [...entries.values()].sort(byName), skipped, excluded: removed.sort(byName) };
}

const INTEGER_TYPES = ['integer', 'bigint', 'smallint'];

/**
 * Tables whose rows events could not name: their key (`id` or a one-column primary key) is not an
 * integer (a uuid). Tables without any key are fine: they get a `bpetl_id`.
 */
export async function unkeyableTables(
  db: Queryable,
  tables: string[],
): Promise<Array<{ name: string; key: string; type: string }>> {
  const keys = await rows<{ name: string; key: string | null; type: string | null }>(
    db,
    `select t as name, k as key,
            (select format_type(a.atttypid, null) from pg_attribute a
              where a.attrelid = to_regclass(format('public.%I', t)) and a.attname = k) as type
       from unnest($1::text[]) t cross join lateral bpetl.row_key(t) k`,
    [tables],
  );
  return keys
    .filter((k) => k.key !== null && !INTEGER_TYPES.includes(k.type ?? ''))
    .map((k) => ({ name: k.name, key: k.key!, type: k.type ?? 'unknown' }));
}

/**
 * Rediscovery (every migrate, `bpetl protection discover`): writes the plan into
 * bpetl.protected_references, keeping operator entries; discovered entries whose foreign key or
 * column is gone are removed. Tables that cannot name their rows get a `bpetl_id` first. The spec
 * table's own trigger re-attaches detection when anything changed.
 */
export async function discoverProtection(db: Queryable): Promise<DiscoveryResult> {
  const plan = await planDiscovery(db);
  const current = new Map(
    (
      await rows<{ name: string; entry: string }>(
        db,
        `select name, ${ENTRY_TEXT} as entry from bpetl.protected_references where origin <> 'OPERATOR'`,
      )
    ).map((r) => [r.name, r.entry]),
  );
  // Only what differs is written: any write re-attaches every detection trigger (the spec table's
  // own trigger), which takes each protected table's lock, and migrate runs this every time.
  const changed = plan.entries.filter((e) => current.get(e.name) !== entryText(e));
  const removed = [...current.keys()].filter((n) => !plan.entries.some((e) => e.name === n));
  for (const table of new Set(changed.map((e) => e.sourceTable))) {
    await db.query(`select bpetl.ensure_row_key($1)`, [table]);
  }
  if (removed.length > 0) {
    await db.query(`delete from bpetl.protected_references where name = any($1)`, [removed]);
  }
  if (changed.length > 0) await upsertEntries(db, changed);
  return { ...plan, added: changed.filter((e) => !current.has(e.name)).map((e) => e.name), removed };
}

/** An entry's definition as one comparable string, in SQL and in TS alike. */
const ENTRY_TEXT = `concat_ws('|', data_type, source_table, source_column, target_table, target_column,
                              nullable::text, rematch, coalesce(row_filter, ''), origin, coalesce(on_delete, ''))`;

function entryText(e: DiscoveredReference): string {
  return [
    e.dataType,
    e.sourceTable,
    e.sourceColumn,
    e.targetTable,
    e.targetColumn,
    String(e.nullable),
    e.rematch,
    e.rowFilter ?? '',
    e.origin,
    e.onDelete ?? '',
  ].join('|');
}

async function upsertEntries(db: Queryable, e: DiscoveredReference[]): Promise<void> {
  await db.query(
    `insert into bpetl.protected_references as p
       (name, data_type, source_table, source_column, target_table, target_column, nullable, rematch,
        row_filter, origin, on_delete)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                          $7::boolean[], $8::text[], $9::text[], $10::text[], $11::text[])
     on conflict (name) do update
        set data_type = excluded.data_type, target_table = excluded.target_table,
            target_column = excluded.target_column, nullable = excluded.nullable, rematch = excluded.rematch,
            row_filter = excluded.row_filter, origin = excluded.origin, on_delete = excluded.on_delete`,
    [
      e.map((x) => x.name),
      e.map((x) => x.dataType),
      e.map((x) => x.sourceTable),
      e.map((x) => x.sourceColumn),
      e.map((x) => x.targetTable),
      e.map((x) => x.targetColumn),
      e.map((x) => x.nullable),
      e.map((x) => x.rematch),
      e.map((x) => x.rowFilter),
      e.map((x) => x.origin),
      e.map((x) => x.onDelete),
    ],
  );
}
