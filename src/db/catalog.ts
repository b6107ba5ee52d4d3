import type { EntityManager } from 'typeorm';

type Db = Pick<EntityManager, 'query'>;

/** One column of an application table as the catalog describes it. */
export interface CatalogColumn {
  name: string;
  /** format_type without the modifier: `character varying`, `integer`, `time without time zone`. */
  type: string;
  /** The full type, modifier included (`character varying(255)`), for casts. */
  sqlType: string;
  /** Declared length of a character type, else null. */
  maxLength: number | null;
  notNull: boolean;
  hasDefault: boolean;
}

/** Columns of `public.<table>` (an empty map when the table does not exist). */
export async function tableColumns(db: Db, table: string): Promise<Map<string, CatalogColumn>> {
  const rows: Array<{
    name: string;
    type: string;
    sql_type: string;
    max_length: number | null;
    not_null: boolean;
    has_default: boolean;
  }> = await db.query(
    `select a.attname as name, format_type(a.atttypid, null) as type,
            format_type(a.atttypid, a.atttypmod) as sql_type,
            case when a.atttypid in ('varchar'::regtype, 'bpchar'::regtype) and a.atttypmod > 4
                 then a.atttypmod - 4 end as max_length,
            a.attnotnull as not_null,
            (a.atthasdef or a.attidentity <> '' or a.attgenerated <> '') as has_default
       from pg_attribute a
      where a.attrelid = to_regclass($1) and a.attnum > 0 and not a.attisdropped
      order by a.attnum`,
    [`public.${table}`],
  );
  return new Map(
    rows.map((r) => [
      r.name,
      {
        name: r.name,
        type: r.type,
        sqlType: r.sql_type,
        maxLength: r.max_length,
        notNull: r.not_null,
        hasDefault: r.has_default,
      },
    ]),
  );
}

/** Column sets of the table's valid unique constraints and unique indexes without a predicate. */
export async function uniqueKeys(db: Db, table: string): Promise<Array<{ name: string; columns: string[] }>> {
  return db.query(
    `select i.indexrelid::regclass::text as name,
            array_agg(a.attname::text order by k.ord) as columns
       from pg_index i
       cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
      where i.indrelid = to_regclass($1) and i.indisunique and i.indisvalid and i.indpred is null
        and i.indexprs is null and not i.indisprimary
      group by i.indexrelid
      order by 1`,
    [`public.${table}`],
  );
}

/** True when series carry their own league column (the tool's shape); the platform links them only. */
export async function seriesHaveLeague(db: Db): Promise<boolean> {
  return (await tableColumns(db, 'series')).has('league_id');
}

/** True when migrate adopted the platform's own tables (anything added to them gets a bpetl_ name). */
export async function isAdopted(db: Db): Promise<boolean> {
  const [row]: Array<{ adopted: boolean }> = await db.query(
    `select exists (select 1 from bpetl.migrations where adopted) as adopted`,
  );
  return Boolean(row?.adopted);
}

/**
 * Records a change the tool made to an application table with the statement undoing it, so
 * `migrate --down 0` leaves the table as it found it (and `undoSchemaChange` can undo it alone).
 * Statements are built from the catalog, never input. Returns the change's id.
 */
export async function recordSchemaChange(
  db: Db,
  change: {
    kind: 'ADD_CONSTRAINT' | 'ALTER_FOREIGN_KEY';
    table: string;
    object: string;
    detail: string;
    undo: string;
  },
): Promise<number> {
  const [row]: Array<{ id: string }> = await db.query(
    `insert into bpetl.schema_changes (kind, table_name, object_name, detail, undo_sql)
     values ($1, $2, $3, $4, $5) returning id::text`,
    [change.kind, change.table, change.object, change.detail, change.undo],
  );
  return Number(row!.id);
}
