import { type Db, ident } from '../../db/sql.ts';
import { sqlState } from '../../errors.ts';
import { logger } from '../../logger.ts';
import { type ProtectedReference } from '../protection/spec.ts';
import type { ConstraintRepairAction } from './action.ts';
import { keyEnforced } from './catalog.ts';
import { NATURAL_KEYS, type NaturalKey } from './natural-keys.ts';

/** Key columns compared through an expression: clubs match case- and space-insensitively. */
const MATCH_EXPRESSIONS: Record<string, string> = { 'clubs.name': 'bpetl.name_key(name)' };

const MERGE_MAP = 'bpetl_merge_map';

/**
 * Merges the rows of one NATURAL_KEYS table that share a natural key into the lowest id: every
 * dependent is moved to the survivor first, then the losers are deleted. Natural keys of dependents
 * lifted for the move are added to `lifted`. Null when there is nothing to merge.
 */
export async function mergeDuplicates(
  manager: Db,
  key: NaturalKey,
  spec: ProtectedReference[],
  lifted: Set<string>,
): Promise<ConstraintRepairAction | null> {
  // Duplicates the database cannot hold need no search (clubs match through an expression: searched).
  const compared = key.columns.some((c) => MATCH_EXPRESSIONS[`${key.table}.${c}`]);
  if (!compared && (await keyEnforced(manager, key))) return null;
  const { losers, survivors } = await mapLosers(manager, key);
  if (losers === 0) return null;
  const table = ident(key.table);
  const label = `(${key.columns.join(', ')})`;
  await manager.query('savepoint bpetl_merge');
  try {
    const { moved, liftedHere } = await moveDependents(manager, key, spec);
    if (await hasColumn(manager, key.table, 'is_active')) {
      await manager.query(
        `update ${table} s set is_active = true
           from ${MERGE_MAP} m join ${table} l on l.id = m.loser
          where s.id = m.survivor and l.is_active and not s.is_active`,
      );
    }
    await manager.query(`delete from ${table} where id in (select loser from ${MERGE_MAP})`);
    await manager.query('release savepoint bpetl_merge');
    liftedHere.forEach((name) => lifted.add(name));
    return {
      kind: 'MERGE_DUPLICATES',
      table: key.table,
      detail:
        `merged ${losers} duplicate(s) of ${label} into ${survivors} survivor(s) (lowest id)` +
        `; moved ${moved.length ? moved.join(', ') : 'no dependents'}` +
        (liftedHere.length
          ? `; lifted ${liftedHere.join(', ')} (added back once their own duplicates are merged)`
          : ''),
      rows: losers,
    };
  } catch (err) {
    // Moving dependents would itself break a unique key (two merged clubs each with a team in one
    // series): leave this table for an operator rather than guess which dependent wins.
    await manager.query('rollback to savepoint bpetl_merge');
    if (sqlState(err) !== '23505') throw err;
    logger.warn({ table: key.table, err: (err as Error).message }, 'duplicates not merged');
    return {
      kind: 'MERGE_DUPLICATES',
      table: key.table,
      detail: `skipped: merging ${losers} duplicate(s) of ${label} would violate a unique key of a dependent (${(err as Error).message})`,
      rows: 0,
    };
  }
}

/** Maps every duplicate (loser) to the lowest id of its key (survivor), in MERGE_MAP. */
async function mapLosers(manager: Db, key: NaturalKey): Promise<{ losers: number; survivors: number }> {
  const partition = key.columns.map((c) => MATCH_EXPRESSIONS[`${key.table}.${c}`] ?? ident(c)).join(', ');
  const required = key.columns.filter((c) => !key.nullable?.includes(c));
  await manager.query(
    `create temp table if not exists ${MERGE_MAP} (loser integer primary key, survivor integer not null)
       on commit drop`,
  );
  await manager.query(`truncate ${MERGE_MAP}`);
  const [counts]: Array<{ losers: number; survivors: number }> = await manager.query(
    `with ranked as (
       select id, first_value(id) over (partition by ${partition} order by id) as survivor
         from ${ident(key.table)} where ${required.map((c) => `${ident(c)} is not null`).join(' and ')}),
     mapped as (insert into ${MERGE_MAP} select id, survivor from ranked where id <> survivor returning survivor)
     select count(*)::int as losers, count(distinct survivor)::int as survivors from mapped`,
  );
  return counts!;
}

/** Re-points every dependent of the losers at their survivor; returns what moved and what was lifted. */
async function moveDependents(
  manager: Db,
  key: NaturalKey,
  spec: ProtectedReference[],
): Promise<{ moved: string[]; liftedHere: string[] }> {
  const moved: string[] = [];
  const liftedHere: string[] = [];
  for (const dep of await dependents(manager, key.table, spec)) {
    if (await isLinkTable(manager, dep.table, spec)) await dropCollidingLinks(manager, dep);
    const childKey = await liftChildKey(manager, dep);
    if (childKey) liftedHere.push(childKey);
    const result: [unknown, number] = await manager.query(
      `update ${ident(dep.table)} d set ${ident(dep.column)} = m.survivor
         from ${MERGE_MAP} m where d.${ident(dep.column)} = m.loser`,
    );
    if (result[1] > 0) moved.push(`${dep.table}.${dep.column} ${result[1]}`);
  }
  return { moved, liftedHere };
}

/**
 * Moving a parent's dependents can make the dependents themselves duplicates (two spellings of a club
 * each with a team in one series). When the dependent is a natural-key table whose key includes the
 * moved column, its unique key is lifted for the move; its own merge follows (parents come first in
 * NATURAL_KEYS) and the key is added back under its NATURAL_KEYS name. Returns the key lifted.
 */
async function liftChildKey(manager: Db, dep: { table: string; column: string }): Promise<string | null> {
  const child = NATURAL_KEYS.find((k) => k.table === dep.table && k.columns.includes(dep.column));
  if (!child) return null;
  const affected = await manager.query(
    `select 1 from ${ident(dep.table)} d join ${MERGE_MAP} m on m.loser = d.${ident(dep.column)} limit 1`,
  );
  if (affected.length === 0) return null;
  const enforcing: Array<{ name: string; constraint: boolean }> = await manager.query(
    `select ic.relname as name, exists (select 1 from pg_constraint c where c.conindid = i.indexrelid) as constraint
       from pg_index i join pg_class ic on ic.oid = i.indexrelid
      where i.indrelid = to_regclass($1) and i.indisunique and not i.indisprimary and i.indpred is null
        and (select array_agg(a.attname::text order by a.attname) from pg_attribute a
              where a.attrelid = i.indrelid and a.attnum = any(i.indkey)) = $2::text[]`,
    [`public.${dep.table}`, [...child.columns].sort()],
  );
  for (const { name, constraint } of enforcing) {
    await manager.query(
      constraint
        ? `alter table ${ident(dep.table)} drop constraint ${ident(name)}`
        : `drop index public.${ident(name)}`,
    );
  }
  return enforcing.length > 0 ? child.name : null;
}

/** Every single-column reference to `table`.id: foreign keys, plus spec columns lacking one. */
async function dependents(
  manager: Db,
  table: string,
  spec: ProtectedReference[],
): Promise<Array<{ table: string; column: string }>> {
  const rows: Array<{ table: string; column: string }> = await manager.query(
    `select cl.relname as table, a.attname as column
       from pg_constraint c
       join pg_class cl on cl.oid = c.conrelid
       join pg_attribute a on a.attrelid = c.conrelid and a.attnum = c.conkey[1]
      where c.contype = 'f' and c.confrelid = to_regclass($1) and cardinality(c.conkey) = 1
        and cl.relnamespace = 'public'::regnamespace
      order by 1, 2`,
    [`public.${table}`],
  );
  for (const ref of spec) {
    if (ref.targetTable !== table || ref.targetColumn !== 'id') continue;
    if (!rows.some((r) => r.table === ref.sourceTable && r.column === ref.sourceColumn)) {
      rows.push({ table: ref.sourceTable, column: ref.sourceColumn });
    }
  }
  return rows;
}

/** A pure link table (club_leagues): nothing references it, it is not user data, it has no natural key. */
async function isLinkTable(manager: Db, table: string, spec: ProtectedReference[]): Promise<boolean> {
  if (spec.some((r) => r.sourceTable === table) || NATURAL_KEYS.some((k) => k.table === table)) return false;
  const rows = await manager.query(
    `select 1 from pg_constraint where contype = 'f' and confrelid = to_regclass($1)`,
    [`public.${table}`],
  );
  return rows.length === 0;
}

/**
 * A loser's link that the survivor already has (or that another loser of the same survivor has)
 * would break the link table's unique key once moved; it says nothing new, so it is dropped.
 */
async function dropCollidingLinks(manager: Db, dep: { table: string; column: string }): Promise<void> {
  const uniques: Array<{ columns: string[] }> = await manager.query(
    `select array_agg(a.attname::text order by k.ord) as columns
       from pg_index i
       cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
       join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
      where i.indrelid = to_regclass($1) and i.indisunique and not i.indisprimary
      group by i.indexrelid
     having $2 = any(array_agg(a.attname::text))`,
    [`public.${dep.table}`, dep.column],
  );
  const col = ident(dep.column);
  for (const { columns } of uniques) {
    const same = columns
      .filter((c) => c !== dep.column)
      .map((c) => ` and d2.${ident(c)} is not distinct from d.${ident(c)}`)
      .join('');
    await manager.query(
      `delete from ${ident(dep.table)} d using ${MERGE_MAP} m
        where d.${col} = m.loser
          and exists (select 1 from ${ident(dep.table)} d2 left join ${MERGE_MAP} m2 on m2.loser = d2.${col}
                       where coalesce(m2.survivor, d2.${col}) = m.survivor and d2.ctid <> d.ctid${same}
                         and (m2.loser is null or d2.ctid < d.ctid))`,
    );
  }
}

async function hasColumn(manager: Db, table: string, column: string): Promise<boolean> {
  const rows = await manager.query(
    `select 1 from pg_attribute where attrelid = to_regclass($1) and attname = $2 and not attisdropped`,
    [`public.${table}`, column],
  );
  return rows.length > 0;
}
