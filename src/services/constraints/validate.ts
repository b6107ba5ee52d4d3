import { isAdopted, seriesHaveLeague } from '../../db/catalog.ts';
import { type Db, ident } from '../../db/sql.ts';
import { type DiscoveredReference, planDiscovery } from '../protection/discover.ts';
import { danglingPredicate, loadProtectionSpec, type ProtectedReference } from '../protection/spec.ts';
import { protectionCoverage } from '../protection/switch.ts';

export type Severity = 'CRITICAL' | 'WARNING' | 'INFO';

export interface ConstraintIssue {
  check:
    | 'MISSING_CONSTRAINT'
    | 'MISSING_FOREIGN_KEY'
    | 'DUPLICATE_KEY'
    | 'NULL_KEY'
    | 'ORPHANS'
    | 'CASCADE_REFERENCE'
    | 'UNPROTECTED_REFERENCE';
  severity: Severity;
  table: string;
  /** The constraint, key or reference concerned. */
  subject: string;
  message: string;
  /** Rows affected (duplicates beyond the first, NULL keys, dangling references). */
  rows: number;
  /** What fixes it: the repairConstraints action, or the repair or command to run. */
  fix: string;
}

export type NaturalKey = (typeof NATURAL_KEYS)[number];

/** Natural keys the import upserts on; each must be enforced by a unique constraint or index. */
export const NATURAL_KEYS: ReadonlyArray<{
  table: string;
  name: string;
  columns: string[];
  /** Key columns allowed to be NULL (a series not yet linked to a league). */
  nullable?: string[];
}> = [
  { table: 'leagues', name: 'unique_league_id', columns: ['league_id'] },
  { table: 'clubs', name: 'unique_club_name', columns: ['name'] },
  {
    table: 'series',
    name: 'unique_series_league_name',
    columns: ['league_id', 'name'],
    nullable: ['league_id'],
  },
  { table: 'teams', name: 'unique_team_club_series_league', columns: ['club_id', 'series_id', 'league_id'] },
  {
    table: 'players',
    name: 'unique_player_league_club_series',
    columns: ['tenniscores_player_id', 'league_id', 'club_id', 'series_id'],
  },
];

/**
 * The natural keys of this database: where series have no league column (the platform links them
 * through series_leagues), a series name is unique across leagues, as its `series_name_key` says.
 */
export async function naturalKeys(db: Db): Promise<NaturalKey[]> {
  if (await seriesHaveLeague(db)) return [...NATURAL_KEYS];
  return NATURAL_KEYS.map((k) =>
    k.table === 'series' ? { table: 'series', name: 'unique_series_name', columns: ['name'] } : k,
  );
}

/** Unique constraints and unique indexes of a table, as ordered column lists. */
async function uniqueColumnSets(db: Db, table: string): Promise<string[][]> {
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
export async function keyEnforced(db: Db, key: (typeof NATURAL_KEYS)[number]): Promise<boolean> {
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

async function hasForeignKey(db: Db, table: string, column: string, target: string): Promise<boolean> {
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

/**
 * Step 1 of the pipeline: reports what would make an ID-preserving refresh unsafe. Changes nothing.
 * Natural keys must be enforced and clean; every protection-spec reference that can have a
 * foreign key should have one; dangling references are reported per reference.
 */
export async function validateConstraints(db: Db): Promise<ConstraintIssue[]> {
  const issues: ConstraintIssue[] = [];
  const undone = await undoneChanges(db);
  const adopted = await isAdopted(db);
  const keptOut = (table: string, base: string) => undone.get(`${table}.${toolName(adopted, base)}`);
  for (const key of await naturalKeys(db)) {
    const sets = await uniqueColumnSets(db, key.table);
    const enforced = sets.some(
      (cols) => cols.length === key.columns.length && key.columns.every((c) => cols.includes(c)),
    );
    const cols = key.columns.map(ident).join(', ');
    const [{ duplicates, nulls }] = (await keyEnforced(db, key))
      ? [{ duplicates: 0, nulls: 0 }]
      : await db.query(
          `select coalesce(sum(n - 1), 0)::int as duplicates,
              (select count(*)::int from ${ident(key.table)} where ${key.columns
                .filter((c) => !key.nullable?.includes(c))
                .map((c) => `${ident(c)} is null`)
                .join(' or ')}) as nulls
         from (select count(*) as n from ${ident(key.table)} group by ${cols} having count(*) > 1) d`,
        );
    if (!enforced) {
      issues.push({
        check: 'MISSING_CONSTRAINT',
        severity: 'CRITICAL',
        table: key.table,
        subject: key.name,
        message: `${key.table} has no unique constraint on (${key.columns.join(', ')}): upserts cannot keep ids stable`,
        rows: 0,
        fix: keptOut(key.table, key.name)
          ? `none automatic: an operator undid its addition (schema change ${keptOut(key.table, key.name)}); add a unique constraint on ${key.table} (${key.columns.join(', ')}) by hand`
          : `repairConstraints adds unique constraint on ${key.table} (${key.columns.join(', ')}) once the key is clean`,
      });
    }
    if (duplicates > 0) {
      issues.push({
        check: 'DUPLICATE_KEY',
        severity: 'CRITICAL',
        table: key.table,
        subject: key.name,
        message: `${duplicates} ${key.table} rows duplicate another row's (${key.columns.join(', ')})`,
        rows: duplicates,
        fix: `repairConstraints merges them into the lowest id, moving every dependent first`,
      });
    }
    if (nulls > 0) {
      issues.push({
        check: 'NULL_KEY',
        severity: 'CRITICAL',
        table: key.table,
        subject: key.name,
        message: `${nulls} ${key.table} rows have a NULL in their natural key (${key.columns.join(', ')})`,
        rows: nulls,
        fix: `none automatic: give those ${key.table} rows their key values (or delete them) by hand`,
      });
    }
  }
  for (const ref of await loadProtectionSpec(db)) {
    // A reference to a non-unique column (external player ids) cannot have a foreign key.
    if (
      ref.targetColumn === 'id' &&
      !(await hasForeignKey(db, ref.sourceTable, ref.sourceColumn, ref.targetTable))
    ) {
      issues.push({
        check: 'MISSING_FOREIGN_KEY',
        severity: 'WARNING',
        table: ref.sourceTable,
        subject: ref.name,
        message: `${ref.name} has no foreign key to ${ref.targetTable}.${ref.targetColumn}: deletes can orphan it silently`,
        rows: 0,
        fix: keptOut(ref.sourceTable, `${ref.sourceTable}_${ref.sourceColumn}_fkey`)
          ? `none automatic: an operator undid its addition (schema change ${keptOut(ref.sourceTable, `${ref.sourceTable}_${ref.sourceColumn}_fkey`)})`
          : `repairConstraints adds the foreign key (NOT VALID until no row dangles)`,
      });
    }
    const [{ n }] = await db.query(
      `select count(*)::int as n from ${ident(ref.sourceTable)} s where ${danglingPredicate(ref)}`,
    );
    if (n > 0) {
      issues.push({
        check: 'ORPHANS',
        severity: 'CRITICAL',
        table: ref.sourceTable,
        subject: ref.name,
        message: `${n} ${ref.sourceTable} rows reference a missing ${ref.targetTable}.${ref.targetColumn}`,
        rows: n,
        fix: 'repairOrphans (bpetl repair --emergency) re-points them on unique matches and quarantines the rest',
      });
    }
    if (ref.onDelete === 'CASCADE') {
      const kept = (await cascadeKeys(db, ref))
        .map((k) => undone.get(`${ref.sourceTable}.${k.name}`))
        .find((id) => id !== undefined);
      issues.push({
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
      });
    }
  }
  issues.push(...(await unprotectedReferences(db)));
  return issues;
}

const addCommand = (r: DiscoveredReference) =>
  `bpetl protection add ${r.name} --references ${r.targetTable}.${r.targetColumn} --rematch ${r.rematch}`;

/**
 * References from user data into reference data that no detection trigger watches: a foreign key
 * or a known reference (the built-ins) missing from the spec (a table added since the last
 * discovery, or one an operator removed), and spec entries whose triggers are missing or do not
 * fire under session_replication_role = replica.
 */
export async function unprotectedReferences(db: Db): Promise<ConstraintIssue[]> {
  const issues: ConstraintIssue[] = [];
  const plan = await planDiscovery(db);
  const coverage = await protectionCoverage(db);
  const inSpec = new Set(coverage.references.map((r) => r.name));
  for (const entry of plan.entries.filter((e) => !inSpec.has(e.name))) {
    const kind = entry.origin === 'FOREIGN_KEY' ? 'foreign key' : 'known reference';
    issues.push({
      check: 'UNPROTECTED_REFERENCE',
      severity: 'WARNING',
      table: entry.sourceTable,
      subject: entry.name,
      message:
        `${entry.name} (a ${kind} to ${entry.targetTable}.${entry.targetColumn}) is not in the protection ` +
        'spec: a delete or reload of its target orphans it without an event',
      rows: 0,
      fix: `repairConstraints adds it to the protection spec, as \`bpetl protection discover\` does (or: ${addCommand(entry)})`,
    });
  }
  for (const entry of plan.excluded) {
    issues.push({
      check: 'UNPROTECTED_REFERENCE',
      severity: 'INFO',
      table: entry.sourceTable,
      subject: entry.name,
      message: `${entry.name} (to ${entry.targetTable}.${entry.targetColumn}) was removed from the protection spec by an operator: nothing watches it`,
      rows: 0,
      fix: `none automatic (an operator's choice); to protect it again: ${addCommand(entry)}`,
    });
  }
  if (!coverage.switchedOn) {
    if (coverage.references.length > 0) {
      issues.push({
        check: 'UNPROTECTED_REFERENCE',
        severity: 'WARNING',
        table: 'bpetl.protected_references',
        subject: 'protection',
        message: `protection is off: no detection trigger watches the ${coverage.references.length} protected reference(s)`,
        rows: 0,
        fix: '`bpetl protection enable` (enableProtection) attaches the triggers; `bpetl repair --emergency` then finds what was orphaned meanwhile',
      });
    }
    return issues;
  }
  for (const entry of coverage.references.filter((r) => !r.covered)) {
    issues.push({
      check: 'UNPROTECTED_REFERENCE',
      severity: 'WARNING',
      table: entry.sourceTable,
      subject: entry.name,
      message:
        `${entry.name}: the detection triggers on ${entry.sourceTable} or ${entry.targetTable} are missing ` +
        'or do not fire under session_replication_role = replica',
      rows: 0,
      fix: 'repairConstraints re-attaches the detection triggers (ENABLE ALWAYS), as `bpetl protection enable` does',
    });
  }
  return issues;
}
