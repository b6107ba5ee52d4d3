import type { EntityManager } from 'typeorm';

import { tableColumns } from '../../db/catalog.ts';
import { AppError } from '../../errors.ts';
import { REFERENCE_TABLES, REMATCH_BY_TARGET, unkeyableTables } from './discover.ts';
import { loadProtectionSpec, type ProtectedReference, type RematchStrategy } from './spec.ts';

type Db = Pick<EntityManager, 'query'>;

const STRATEGIES: RematchStrategy[] = [
  'team',
  'player',
  'series',
  'practice',
  'external_player',
  'league',
  'club',
];

export interface AddReferenceInput {
  /** `TABLE.COLUMN` of the user data. */
  column: string;
  /** `TABLE.COLUMN` it points at. */
  references: string;
  /** How a dangling value is re-matched; by default the target table's (teams: team, …). */
  rematch?: string | null;
}

function parseColumn(value: string, field: string): { table: string; column: string } {
  const match = /^([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)$/.exec(value.trim());
  if (!match) {
    throw new AppError(
      'INVALID_INPUT',
      `${field} must be TABLE.COLUMN (lower-case identifiers), got "${value}"`,
      {
        field,
      },
    );
  }
  return { table: match[1]!, column: match[2]! };
}

async function requireColumn(db: Db, table: string, column: string, field: string) {
  const found = (await tableColumns(db, table)).get(column);
  if (!found) {
    throw new AppError('INVALID_INPUT', `${field}: public.${table} has no column ${column}`, { field });
  }
  return found;
}

/**
 * An operator's entry (`bpetl protection add`): a reference the catalog cannot show (no foreign key)
 * or a table discovery does not know. Checked against the catalog; identifiers never reach SQL
 * unchecked. The entry is covered by the triggers at once when protection is on.
 */
export async function addProtectedReference(db: Db, input: AddReferenceInput): Promise<ProtectedReference> {
  const source = parseColumn(input.column, 'column');
  const target = parseColumn(input.references, 'references');
  const name = `${source.table}.${source.column}`;
  if ((REFERENCE_TABLES as readonly string[]).includes(source.table)) {
    throw new AppError(
      'INVALID_INPUT',
      `${source.table} is reference data, refreshed by the import: its links are not user data`,
      { field: 'column' },
    );
  }
  const column = await requireColumn(db, source.table, source.column, 'column');
  await requireColumn(db, target.table, target.column, 'references');
  const rematch = (input.rematch ??
    (target.column === 'tenniscores_player_id' ? 'external_player' : REMATCH_BY_TARGET[target.table])) as
    RematchStrategy | undefined;
  if (!rematch || !STRATEGIES.includes(rematch)) {
    throw new AppError(
      'INVALID_INPUT',
      rematch
        ? `Unknown rematch strategy "${rematch}" (expected ${STRATEGIES.join(', ')})`
        : `No rematch strategy for references into ${target.table}: pass one (team, player, series)`,
      { field: 'rematch' },
    );
  }
  const [existing]: Array<{ origin: string }> = await db.query(
    `select origin from bpetl.protected_references where source_table = $1 and source_column = $2`,
    [source.table, source.column],
  );
  if (existing) {
    throw new AppError('INVALID_INPUT', `${name} is protected already (${existing.origin})`, {
      field: 'column',
    });
  }
  const [unkeyable] = await unkeyableTables(db, [source.table]);
  if (unkeyable) {
    throw new AppError(
      'INVALID_INPUT',
      `${source.table} rows are named by ${unkeyable.key} (${unkeyable.type}); protected rows need an integer key`,
      { field: 'column' },
    );
  }
  await db.query(`select bpetl.ensure_row_key($1)`, [source.table]);
  await db.query(`delete from bpetl.protection_exclusions where name = $1`, [name]);
  await db.query(
    `insert into bpetl.protected_references
       (name, data_type, source_table, source_column, target_table, target_column, nullable, rematch, origin)
     values ($1, $2, $2, $3, $4, $5, $6, $7, 'OPERATOR')`,
    [name, source.table, source.column, target.table, target.column, !column.notNull, rematch],
  );
  return (await loadProtectionSpec(db)).find((r) => r.name === name)!;
}

/**
 * Removes an entry (`bpetl protection remove`). A discovered one stays removed: rediscovery skips
 * it (and lists it as skipped) until an operator adds it again.
 */
export async function removeProtectedReference(db: Db, name: string): Promise<ProtectedReference> {
  const entry = (await loadProtectionSpec(db)).find((r) => r.name === name);
  if (!entry) {
    throw new AppError('NOT_FOUND', `No protected reference named "${name}"`, { field: 'name' });
  }
  await db.query(`delete from bpetl.protected_references where name = $1`, [name]);
  if (entry.origin !== 'OPERATOR') {
    await db.query(`insert into bpetl.protection_exclusions (name) values ($1) on conflict do nothing`, [
      name,
    ]);
  }
  return entry;
}
