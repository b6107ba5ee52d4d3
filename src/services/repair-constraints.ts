import type { DataSource, EntityManager } from 'typeorm';

import { inTransaction } from '../db/data-source.ts';
import { AppError, sqlState } from '../errors.ts';
import { logger } from '../logger.ts';
import { NATURAL_KEYS, validateConstraints } from './constraints.ts';
import { ident, loadProtectionSpec, type ProtectedReference } from './protection-spec.ts';

type Db = Pick<EntityManager, 'query'>;

export interface ConstraintRepairAction {
  kind: 'MERGE_DUPLICATES' | 'ADD_CONSTRAINT';
  table: string;
  detail: string;
  /** Rows merged away (MERGE_DUPLICATES) or dangling rows left unvalidated (ADD_CONSTRAINT). */
  rows: number;
}

export interface ConstraintRepairResult {
  actions: ConstraintRepairAction[];
  dryRun: boolean;
}

type NaturalKey = (typeof NATURAL_KEYS)[number];

/** Key columns compared through an expression: clubs match case- and space-insensitively. */
const MATCH_EXPRESSIONS: Record<string, string> = { 'clubs.name': 'bpetl.name_key(name)' };

const MERGE_MAP = 'bpetl_merge_map';

/**
 * Pipeline step 2: makes the database safe for an id-preserving refresh.
 *
 * 1. Duplicate reference rows (same natural key; clubs compared case- and space-insensitively) are
 *    merged, parents first (leagues, clubs, series, teams, players) so a merge that creates child
 *    duplicates is followed by theirs. The survivor is the lowest id: the oldest row, whose id other
 *    systems most likely hold. Every dependent (each foreign key to the table and each protection-spec
 *    column pointing at it) is moved to the survivor first, then the losers are deleted; a survivor
 *    inherits `is_active` when any of its duplicates was active.
 * 2. Missing natural-key constraints (NATURAL_KEYS) are added, when the key is clean.
 * 3. Missing protection-spec foreign keys are added NOT VALID, then validated when no row dangles;
 *    existing NOT VALID ones are validated once clean.
 *
 * Idempotent: a second call finds nothing to do. Each action is recorded in
 * bpetl.constraint_repairs. A dry run does everything inside a savepoint and rolls it back.
 */
export async function repairConstraints(
  dataSource: DataSource,
  options: { dryRun?: boolean; manager?: EntityManager } = {},
): Promise<ConstraintRepairResult> {
  const dryRun = options.dryRun ?? false;
  return inTransaction(dataSource, options.manager, async (manager) => {
    await manager.query('savepoint bpetl_repair_constraints');
    let actions: ConstraintRepairAction[];
    try {
      actions = await repairAll(manager);
    } catch (err) {
      await manager.query('rollback to savepoint bpetl_repair_constraints');
      throw err;
    }
    if (dryRun) {
      await manager.query('rollback to savepoint bpetl_repair_constraints');
      return { actions, dryRun };
    }
    await manager.query('release savepoint bpetl_repair_constraints');
    if (actions.length > 0) {
      await manager.query(
        `insert into bpetl.constraint_repairs (kind, table_name, detail, rows)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::int[])`,
        [
          actions.map((a) => a.kind),
          actions.map((a) => a.table),
          actions.map((a) => a.detail),
          actions.map((a) => a.rows),
        ],
      );
    }
    return { actions, dryRun };
  });
}

async function repairAll(manager: Db): Promise<ConstraintRepairAction[]> {
  const spec = await loadProtectionSpec(manager);
  const actions: ConstraintRepairAction[] = [];
  const lifted = new Set<string>();
  for (const key of NATURAL_KEYS) {
    const action = await mergeDuplicates(manager, key, spec, lifted);
    if (action) actions.push(action);
  }
  const issues = await validateConstraints(manager);
  const unclean = new Set(
    issues.filter((i) => i.check === 'DUPLICATE_KEY' || i.check === 'NULL_KEY').map((i) => i.table),
  );
  for (const issue of issues.filter((i) => i.check === 'MISSING_CONSTRAINT')) {
    const key = NATURAL_KEYS.find((k) => k.table === issue.table && k.name === issue.subject);
    if (!key || unclean.has(key.table)) continue;
    const nulls = key.nullable?.length ? ' nulls not distinct' : '';
    await manager.query(
      `alter table ${ident(key.table)} add constraint ${ident(key.name)} unique${nulls} (${key.columns
        .map(ident)
        .join(', ')})`,
    );
    actions.push({
      kind: 'ADD_CONSTRAINT',
      table: key.table,
      detail: `added unique constraint ${key.name} (${key.columns.join(', ')})`,
      rows: 0,
    });
  }
  const stillUnclean = NATURAL_KEYS.filter((k) => lifted.has(k.name) && unclean.has(k.table));
  if (stillUnclean.length > 0) {
    // Never leave a database with fewer constraints than it had: undo everything (the caller's savepoint).
    throw new AppError(
      'INTERNAL',
      `Merging duplicates left ${stillUnclean.map((k) => k.table).join(', ')} with duplicate or NULL keys, ` +
        'so its natural key could not be restored; nothing was changed',
      { keys: stillUnclean.map((k) => k.name) },
    );
  }
  for (const issue of issues.filter((i) => i.check === 'MISSING_FOREIGN_KEY')) {
    const ref = spec.find((r) => r.name === issue.subject);
    if (ref) actions.push(await addForeignKey(manager, ref));
  }
  actions.push(...(await validatePendingForeignKeys(manager, spec)));
  return actions;
}

async function mergeDuplicates(
  manager: Db,
  key: NaturalKey,
  spec: ProtectedReference[],
  lifted: Set<string>,
): Promise<ConstraintRepairAction | null> {
  const table = ident(key.table);
  const partition = key.columns.map((c) => MATCH_EXPRESSIONS[`${key.table}.${c}`] ?? ident(c)).join(', ');
  const required = key.columns.filter((c) => !key.nullable?.includes(c));
  await manager.query(
    `create temp table if not exists ${MERGE_MAP} (loser integer primary key, survivor integer not null)
       on commit drop`,
  );
  await manager.query(`truncate ${MERGE_MAP}`);
  const [{ losers, survivors }]: Array<{ losers: number; survivors: number }> = await manager.query(
    `with ranked as (
       select id, first_value(id) over (partition by ${partition} order by id) as survivor
         from ${table} where ${required.map((c) => `${ident(c)} is not null`).join(' and ')}),
     mapped as (insert into ${MERGE_MAP} select id, survivor from ranked where id <> survivor returning survivor)
     select count(*)::int as losers, count(distinct survivor)::int as survivors from mapped`,
  );
  if (losers === 0) return null;
  const label = `(${key.columns.join(', ')})`;
  await manager.query('savepoint bpetl_merge');
  try {
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

async function danglingRows(manager: Db, ref: ProtectedReference): Promise<number> {
  const [{ n }]: Array<{ n: number }> = await manager.query(
    `select count(*)::int as n from ${ident(ref.sourceTable)} s
      where s.${ident(ref.sourceColumn)} is not null
        and not exists (select 1 from ${ident(ref.targetTable)} t
                         where t.${ident(ref.targetColumn)} = s.${ident(ref.sourceColumn)})`,
  );
  return n;
}

async function addForeignKey(manager: Db, ref: ProtectedReference): Promise<ConstraintRepairAction> {
  const name = `${ref.sourceTable}_${ref.sourceColumn}_fkey`;
  // NOT VALID first: new writes are checked at once; existing rows only when validated below.
  await manager.query(
    `alter table ${ident(ref.sourceTable)} add constraint ${ident(name)} foreign key (${ident(ref.sourceColumn)})
       references ${ident(ref.targetTable)} (${ident(ref.targetColumn)}) not valid`,
  );
  const dangling = await danglingRows(manager, ref);
  if (dangling === 0) {
    await manager.query(`alter table ${ident(ref.sourceTable)} validate constraint ${ident(name)}`);
  }
  return {
    kind: 'ADD_CONSTRAINT',
    table: ref.sourceTable,
    detail:
      `added foreign key ${name} (${ref.name} → ${ref.targetTable}.${ref.targetColumn})` +
      (dangling === 0 ? ', validated' : `, NOT VALID: ${dangling} row(s) dangle`),
    rows: dangling,
  };
}

/** NOT VALID spec foreign keys whose rows are now clean get validated. */
async function validatePendingForeignKeys(
  manager: Db,
  spec: ProtectedReference[],
): Promise<ConstraintRepairAction[]> {
  const actions: ConstraintRepairAction[] = [];
  for (const ref of spec) {
    const pending: Array<{ name: string }> = await manager.query(
      `select c.conname as name from pg_constraint c
        where c.contype = 'f' and not c.convalidated and c.conrelid = to_regclass($1)
          and c.confrelid = to_regclass($3)
          and c.conkey = array[(select attnum from pg_attribute
                                 where attrelid = to_regclass($1) and attname = $2)]`,
      [`public.${ref.sourceTable}`, ref.sourceColumn, `public.${ref.targetTable}`],
    );
    for (const { name } of pending) {
      if ((await danglingRows(manager, ref)) > 0) continue;
      await manager.query(`alter table ${ident(ref.sourceTable)} validate constraint ${ident(name)}`);
      actions.push({
        kind: 'ADD_CONSTRAINT',
        table: ref.sourceTable,
        detail: `validated foreign key ${name}`,
        rows: 0,
      });
    }
  }
  return actions;
}
