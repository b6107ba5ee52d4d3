import type { DataSource, EntityManager } from 'typeorm';

import { isAdopted, recordSchemaChange } from '../../db/catalog.ts';
import { type Db, ident } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';
import { discoverProtection } from '../protection/discover.ts';
import { loadProtectionSpec, type ProtectedReference } from '../protection/spec.ts';
import { runStep } from '../step/transaction.ts';
import type { ConstraintRepairAction } from './action.ts';
import { cascadeKeys, toolName, undoneChanges } from './catalog.ts';
import type { ConstraintIssue } from './issue.ts';
import { mergeDuplicates } from './merge-duplicates.ts';
import { naturalKeys } from './natural-keys.ts';
import { validateConstraints } from './validate.ts';

export interface ConstraintRepairResult {
  actions: ConstraintRepairAction[];
  dryRun: boolean;
}

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
 * 4. ON DELETE CASCADE on a protected reference becomes NO ACTION.
 * 5. Unprotected references are protected: foreign keys and known references missing from the
 *    spec are added to it (rediscovery), missing detection triggers re-attached while protection is on.
 *
 * A change an operator undid (`undoSchemaChange`) is not made again.
 * Idempotent: a second call finds nothing to do. Each action is recorded in
 * bpetl.constraint_repairs. A dry run does everything inside a savepoint and rolls it back.
 * On its own it is a step (services/step): its own transaction under the import lock.
 */
export async function repairConstraints(
  dataSource: DataSource,
  options: { dryRun?: boolean; manager?: EntityManager } = {},
): Promise<ConstraintRepairResult> {
  const dryRun = options.dryRun ?? false;
  return runStep(dataSource, { tx: options.manager, dryRun }, async (manager) => {
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
      return { actions: actions.map((a) => ({ ...a, changeId: null })), dryRun };
    }
    await manager.query('release savepoint bpetl_repair_constraints');
    if (actions.length > 0) {
      await manager.query(
        `insert into bpetl.constraint_repairs (kind, table_name, detail, rows, schema_change_id)
         select * from unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[])`,
        [
          actions.map((a) => a.kind),
          actions.map((a) => a.table),
          actions.map((a) => a.detail),
          actions.map((a) => a.rows),
          actions.map((a) => a.changeId ?? null),
        ],
      );
    }
    return { actions, dryRun };
  });
}

/** Names of what the tool adds: its own (`bpetl_…`) on an adopted database, recorded there. */
interface Naming {
  adopted: boolean;
  name(base: string): string;
  /** `table.object` of changes an operator undid: left alone. */
  undone: Map<string, number>;
}

async function repairAll(manager: Db): Promise<ConstraintRepairAction[]> {
  const spec = await loadProtectionSpec(manager);
  const actions: ConstraintRepairAction[] = [];
  const lifted = new Set<string>();
  const keys = await naturalKeys(manager);
  const adopted = await isAdopted(manager);
  const undone = await undoneChanges(manager);
  const naming: Naming = { adopted, name: (base) => toolName(adopted, base), undone };
  for (const key of keys) {
    const action = await mergeDuplicates(manager, key, spec, lifted);
    if (action) actions.push(action);
  }
  const issues = await validateConstraints(manager);
  const unclean = new Set(
    issues.filter((i) => i.check === 'DUPLICATE_KEY' || i.check === 'NULL_KEY').map((i) => i.table),
  );
  for (const issue of issues.filter((i) => i.check === 'MISSING_CONSTRAINT')) {
    const key = keys.find((k) => k.table === issue.table && k.name === issue.subject);
    if (!key || unclean.has(key.table)) continue;
    const nulls = key.nullable?.length ? ' nulls not distinct' : '';
    const name = naming.name(key.name);
    if (undone.has(`${key.table}.${name}`)) continue;
    await manager.query(
      `alter table ${ident(key.table)} add constraint ${ident(name)} unique${nulls} (${key.columns
        .map(ident)
        .join(', ')})`,
    );
    const detail = `added unique constraint ${name} (${key.columns.join(', ')})`;
    const changeId = adopted ? await recordAddedConstraint(manager, key.table, name, detail) : null;
    actions.push({ kind: 'ADD_CONSTRAINT', table: key.table, detail, rows: 0, changeId });
  }
  const stillUnclean = keys.filter((k) => lifted.has(k.name) && unclean.has(k.table));
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
    const action = ref ? await addForeignKey(manager, ref, naming) : null;
    if (action) actions.push(action);
  }
  actions.push(...(await validatePendingForeignKeys(manager, spec)));
  for (const issue of issues.filter((i) => i.check === 'CASCADE_REFERENCE')) {
    const ref = spec.find((r) => r.name === issue.subject);
    if (ref) actions.push(...(await stopCascade(manager, ref, undone)));
  }
  actions.push(...(await protectReferences(manager, issues)));
  return actions;
}

/**
 * Unprotected references (validateConstraints' UNPROTECTED_REFERENCE, other than an operator's
 * removal or protection switched off, which are the operator's to undo): missing entries are
 * rediscovered into the spec, whose own trigger re-attaches detection; missing triggers are
 * re-attached. Returns what was done.
 */
async function protectReferences(manager: Db, issues: ConstraintIssue[]): Promise<ConstraintRepairAction[]> {
  const unprotected = issues.filter(
    (i) => i.check === 'UNPROTECTED_REFERENCE' && i.severity !== 'INFO' && i.subject !== 'protection',
  );
  if (unprotected.length === 0) return [];
  const before = new Set((await loadProtectionSpec(manager)).map((r) => r.name));
  const result = await discoverProtection(manager);
  // Rediscovery writes the spec only when it changed; the triggers are re-attached either way.
  await manager.query(`select bpetl.enable_protection()`);
  return unprotected.map((issue) => ({
    kind: 'PROTECT_REFERENCE' as const,
    table: issue.table,
    detail:
      !before.has(issue.subject) && result.entries.some((e) => e.name === issue.subject)
        ? `added ${issue.subject} to the protection spec (discovered) and attached its detection triggers`
        : `re-attached the detection triggers of ${issue.subject}`,
    rows: 0,
  }));
}

async function recordAddedConstraint(
  manager: Db,
  table: string,
  name: string,
  detail: string,
): Promise<number> {
  return recordSchemaChange(manager, {
    kind: 'ADD_CONSTRAINT',
    table,
    object: name,
    detail,
    undo: `alter table public.${ident(table)} drop constraint if exists ${ident(name)}`,
  });
}

/**
 * A protected reference whose foreign key deletes user data with its target gets ON DELETE NO
 * ACTION instead (same name, same columns; NOT VALID is not needed, the rows already hold). The
 * original definition is recorded: `migrate --down 0` puts it back.
 */
async function stopCascade(
  manager: Db,
  ref: ProtectedReference,
  undone: Map<string, number>,
): Promise<ConstraintRepairAction[]> {
  const all = await cascadeKeys(manager, ref);
  const keys = all.filter((k) => !undone.has(`${ref.sourceTable}.${k.name}`));
  // An operator put the CASCADE back: it stays, and so does what the spec says of it.
  if (all.length > 0 && keys.length === 0) return [];
  const actions: ConstraintRepairAction[] = [];
  for (const key of keys) {
    const table = `public.${ident(ref.sourceTable)}`;
    const safe = key.definition.replace(/ ON DELETE CASCADE/, '');
    await manager.query(
      `alter table ${table} drop constraint ${ident(key.name)}, add constraint ${ident(key.name)} ${safe}`,
    );
    const detail = `foreign key ${key.name} (${ref.name}) changed from ON DELETE CASCADE to NO ACTION`;
    const changeId = await recordSchemaChange(manager, {
      kind: 'ALTER_FOREIGN_KEY',
      table: ref.sourceTable,
      object: key.name,
      detail,
      undo: `alter table ${table} drop constraint ${ident(key.name)}, add constraint ${ident(key.name)} ${key.definition}`,
    });
    actions.push({ kind: 'CHANGE_ON_DELETE', table: ref.sourceTable, detail, rows: 0, changeId });
  }
  // The spec says what the catalog says now.
  await manager.query(`update bpetl.protected_references set on_delete = 'NO ACTION' where name = $1`, [
    ref.name,
  ]);
  return actions;
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

async function addForeignKey(
  manager: Db,
  ref: ProtectedReference,
  naming: Naming,
): Promise<ConstraintRepairAction | null> {
  const name = naming.name(`${ref.sourceTable}_${ref.sourceColumn}_fkey`);
  if (naming.undone.has(`${ref.sourceTable}.${name}`)) return null;
  // NOT VALID first: new writes are checked at once; existing rows only when validated below.
  await manager.query(
    `alter table ${ident(ref.sourceTable)} add constraint ${ident(name)} foreign key (${ident(ref.sourceColumn)})
       references ${ident(ref.targetTable)} (${ident(ref.targetColumn)}) not valid`,
  );
  const dangling = await danglingRows(manager, ref);
  if (dangling === 0) {
    await manager.query(`alter table ${ident(ref.sourceTable)} validate constraint ${ident(name)}`);
  }
  const changeId = naming.adopted
    ? await recordAddedConstraint(manager, ref.sourceTable, name, `added foreign key ${name} (${ref.name})`)
    : null;
  return {
    changeId,
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
