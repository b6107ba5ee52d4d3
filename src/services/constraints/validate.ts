import { isAdopted } from '../../db/catalog.ts';
import { type Db, ident } from '../../db/sql.ts';
import { danglingPredicate, loadProtectionSpec, type ProtectedReference } from '../protection/spec.ts';
import {
  cascadeKeys,
  hasForeignKey,
  keyEnforced,
  toolName,
  undoneChanges,
  uniqueColumnSets,
} from './catalog.ts';
import type { ConstraintIssue } from './issue.ts';
import { type NaturalKey, naturalKeys } from './natural-keys.ts';
import { unprotectedReferences } from './unprotected.ts';

/**
 * Step 1 of the pipeline: reports what would make an ID-preserving refresh unsafe. Changes nothing.
 * Natural keys must be enforced and clean; every protection-spec reference that can have a
 * foreign key should have one; dangling references are reported per reference.
 */
export async function validateConstraints(db: Db): Promise<ConstraintIssue[]> {
  const undone = await undoneChanges(db);
  const adopted = await isAdopted(db);
  const keptOut: KeptOut = (table, base) => undone.get(`${table}.${toolName(adopted, base)}`);
  const issues: ConstraintIssue[] = [];
  for (const key of await naturalKeys(db)) issues.push(...(await keyIssues(db, key, keptOut)));
  for (const ref of await loadProtectionSpec(db)) {
    issues.push(...(await referenceIssues(db, ref, undone, keptOut)));
  }
  issues.push(...(await unprotectedReferences(db)));
  return issues;
}

/** The id of the schema change an operator undid for what repair would add, if one did. */
type KeptOut = (table: string, base: string) => number | undefined;

/** Counts duplicate and NULL keys, unless the database itself rules them out. */
async function keyDefects(db: Db, key: NaturalKey): Promise<{ duplicates: number; nulls: number }> {
  if (await keyEnforced(db, key)) return { duplicates: 0, nulls: 0 };
  const cols = key.columns.map(ident).join(', ');
  const nullTest = key.columns
    .filter((c) => !key.nullable?.includes(c))
    .map((c) => `${ident(c)} is null`)
    .join(' or ');
  const [row]: Array<{ duplicates: number; nulls: number }> = await db.query(
    `select coalesce(sum(n - 1), 0)::int as duplicates,
            (select count(*)::int from ${ident(key.table)} where ${nullTest}) as nulls
       from (select count(*) as n from ${ident(key.table)} group by ${cols} having count(*) > 1) d`,
  );
  return row!;
}

/** A natural key without its unique constraint, with duplicates, or with NULLs. */
async function keyIssues(db: Db, key: NaturalKey, keptOut: KeptOut): Promise<ConstraintIssue[]> {
  const issues: ConstraintIssue[] = [];
  const sets = await uniqueColumnSets(db, key.table);
  const enforced = sets.some(
    (cols) => cols.length === key.columns.length && key.columns.every((c) => cols.includes(c)),
  );
  const { duplicates, nulls } = await keyDefects(db, key);
  const columns = key.columns.join(', ');
  const base = { table: key.table, subject: key.name };
  if (!enforced) {
    const undoneId = keptOut(key.table, key.name);
    issues.push({
      ...base,
      check: 'MISSING_CONSTRAINT',
      severity: 'CRITICAL',
      message: `${key.table} has no unique constraint on (${columns}): upserts cannot keep ids stable`,
      rows: 0,
      fix: undoneId
        ? `none automatic: an operator undid its addition (schema change ${undoneId}); add a unique constraint on ${key.table} (${columns}) by hand`
        : `repairConstraints adds unique constraint on ${key.table} (${columns}) once the key is clean`,
    });
  }
  if (duplicates > 0) {
    issues.push({
      ...base,
      check: 'DUPLICATE_KEY',
      severity: 'CRITICAL',
      message: `${duplicates} ${key.table} rows duplicate another row's (${columns})`,
      rows: duplicates,
      fix: `repairConstraints merges them into the lowest id, moving every dependent first`,
    });
  }
  if (nulls > 0) {
    issues.push({
      ...base,
      check: 'NULL_KEY',
      severity: 'CRITICAL',
      message: `${nulls} ${key.table} rows have a NULL in their natural key (${columns})`,
      rows: nulls,
      fix: `none automatic: give those ${key.table} rows their key values (or delete them) by hand`,
    });
  }
  return issues;
}

/** A protected reference without its foreign key, with dangling rows, or ON DELETE CASCADE. */
async function referenceIssues(
  db: Db,
  ref: ProtectedReference,
  undone: Map<string, number>,
  keptOut: KeptOut,
): Promise<ConstraintIssue[]> {
  const issues: ConstraintIssue[] = [];
  const base = { table: ref.sourceTable, subject: ref.name };
  // A reference to a non-unique column (external player ids) cannot have a foreign key.
  if (
    ref.targetColumn === 'id' &&
    !(await hasForeignKey(db, ref.sourceTable, ref.sourceColumn, ref.targetTable))
  ) {
    const undoneId = keptOut(ref.sourceTable, `${ref.sourceTable}_${ref.sourceColumn}_fkey`);
    issues.push({
      ...base,
      check: 'MISSING_FOREIGN_KEY',
      severity: 'WARNING',
      message: `${ref.name} has no foreign key to ${ref.targetTable}.${ref.targetColumn}: deletes can orphan it silently`,
      rows: 0,
      fix: undoneId
        ? `none automatic: an operator undid its addition (schema change ${undoneId})`
        : `repairConstraints adds the foreign key (NOT VALID until no row dangles)`,
    });
  }
  const [{ n }]: Array<{ n: number }> = await db.query(
    `select count(*)::int as n from ${ident(ref.sourceTable)} s where ${danglingPredicate(ref)}`,
  );
  if (n > 0) {
    issues.push({
      ...base,
      check: 'ORPHANS',
      severity: 'CRITICAL',
      message: `${n} ${ref.sourceTable} rows reference a missing ${ref.targetTable}.${ref.targetColumn}`,
      rows: n,
      fix: 'repairOrphans (bpetl repair --emergency) re-points them on unique matches and quarantines the rest',
    });
  }
  if (ref.onDelete === 'CASCADE') issues.push(await cascadeIssue(db, ref, undone));
  return issues;
}

async function cascadeIssue(
  db: Db,
  ref: ProtectedReference,
  undone: Map<string, number>,
): Promise<ConstraintIssue> {
  const kept = (await cascadeKeys(db, ref))
    .map((k) => undone.get(`${ref.sourceTable}.${k.name}`))
    .find((id) => id !== undefined);
  return {
    check: 'CASCADE_REFERENCE',
    severity: 'WARNING',
    table: ref.sourceTable,
    subject: ref.name,
    message: `${ref.name} is ON DELETE CASCADE: deleting a ${ref.targetTable} row deletes user data with it`,
    rows: 0,
    fix:
      kept !== undefined
        ? `none automatic: an operator put the CASCADE back (schema change ${kept} undone), so repairConstraints leaves it; ` +
          'rows it deletes are kept in their orphan events and repairOrphans re-inserts them'
        : 'repairConstraints changes the foreign key to ON DELETE NO ACTION (recorded; undoSchemaChange(id) or ' +
          '`bpetl protection undo-change ID` puts it back, as migrate --down 0 does)',
  };
}
