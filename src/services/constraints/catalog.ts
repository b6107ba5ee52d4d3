import type { Db } from '../../db/sql.ts';
import type { ProtectedReference } from '../protection/spec.ts';
import type { NaturalKey } from './natural-keys.ts';

/** Unique constraints and unique indexes of a table, as ordered column lists. */
export async function uniqueColumnSets(db: Db, table: string): Promise<string[][]> {
  const rows: Array<{ columns: string[] }> = await db.query(
    `select array_agg(a.attname::text order by k.ord) as columns
       from pg_index i
       cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
      where i.indrelid = to_regclass($1) and i.indisunique and i.indpred is null
      group by i.indexrelid`,
    [`public.${table}`],
  );
  return rows.map((r) => r.columns);
}

/**
 * True when the database itself rules out duplicate and NULL keys: a valid unique index on exactly
 * the key's columns (NULLS NOT DISTINCT where a column may be NULL) and NOT NULL on the others. Such
 * a key needs no scan of the table, which on a million players is most of validating it.
 */
export async function keyEnforced(db: Db, key: NaturalKey): Promise<boolean> {
  const nullable = key.nullable ?? [];
  const [row]: Array<{ unique: boolean; notNull: boolean }> = await db.query(
    `select exists (
              select 1 from pg_index i
               where i.indrelid = to_regclass($1) and i.indisunique and i.indisvalid
                 and i.indpred is null and i.indexprs is null and (i.indnullsnotdistinct or not $4)
                 and (select array_agg(a.attname::text order by a.attname)
                        from unnest(i.indkey) k(attnum)
                        join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum)
                     = (select array_agg(c order by c) from unnest($2::text[]) c)) as unique,
            not exists (
              select 1 from pg_attribute a
               where a.attrelid = to_regclass($1) and a.attname = any($3::text[]) and not a.attnotnull)
              as "notNull"`,
    [
      `public.${key.table}`,
      key.columns,
      key.columns.filter((c) => !nullable.includes(c)),
      nullable.length > 0,
    ],
  );
  return Boolean(row?.unique && row.notNull);
}

export async function hasForeignKey(db: Db, table: string, column: string, target: string): Promise<boolean> {
  const rows = await db.query(
    `select 1 from pg_constraint c
      where c.contype = 'f' and c.conrelid = to_regclass($1) and c.confrelid = to_regclass($3)
        and c.conkey = array[(select attnum from pg_attribute where attrelid = to_regclass($1) and attname = $2)]`,
    [`public.${table}`, column, `public.${target}`],
  );
  return rows.length > 0;
}

/** The name repairConstraints gives what it adds: its own (`bpetl_…`) on an adopted database. */
export function toolName(adopted: boolean, base: string): string {
  return adopted ? `bpetl_${base}`.slice(0, 63) : base;
}

/**
 * Changes an operator took back (`undoSchemaChange`), by `table.object`, with their ids:
 * repairConstraints does not make them again.
 */
export async function undoneChanges(db: Db): Promise<Map<string, number>> {
  const rows: Array<{ name: string; id: string }> = await db.query(
    `select table_name || '.' || object_name as name, max(id)::text as id from bpetl.schema_changes
      where undone_at is not null group by 1`,
  );
  return new Map(rows.map((r) => [r.name, Number(r.id)]));
}

/** The ON DELETE CASCADE foreign keys of a protected reference, with their definitions. */
export async function cascadeKeys(
  db: Db,
  ref: ProtectedReference,
): Promise<Array<{ name: string; definition: string }>> {
  return db.query(
    `select c.conname as name, pg_get_constraintdef(c.oid) as definition from pg_constraint c
      where c.contype = 'f' and c.confdeltype = 'c' and c.conrelid = to_regclass($1)
        and c.confrelid = to_regclass($3)
        and c.conkey = array[(select attnum from pg_attribute where attrelid = to_regclass($1) and attname = $2)]`,
    [`public.${ref.sourceTable}`, ref.sourceColumn, `public.${ref.targetTable}`],
  );
}
