import { type Db, ident } from '../../db/sql.ts';

export type RematchStrategy =
  'team' | 'player' | 'series' | 'practice' | 'external_player' | 'league' | 'club';

/** Where an entry came from: a foreign key in the catalog, the built-in list, or an operator. */
export type ReferenceOrigin = 'FOREIGN_KEY' | 'BUILT_IN' | 'OPERATOR';

/** One reference from user data to reference data (a row of bpetl.protected_references). */
export interface ProtectedReference {
  name: string;
  dataType: string;
  sourceTable: string;
  sourceColumn: string;
  targetTable: string;
  targetColumn: string;
  nullable: boolean;
  rematch: RematchStrategy;
  rowFilter: string | null;
  origin: ReferenceOrigin;
  /** The foreign key's ON DELETE action (CASCADE, SET NULL, …); null without a foreign key. */
  onDelete: string | null;
}

interface Row {
  name: string;
  data_type: string;
  source_table: string;
  source_column: string;
  target_table: string;
  target_column: string;
  nullable: boolean;
  rematch: RematchStrategy;
  row_filter: string | null;
  origin: ReferenceOrigin;
  on_delete: string | null;
}

/** Reads the protection spec; the database table is its one definition. */
export async function loadProtectionSpec(manager: Db): Promise<ProtectedReference[]> {
  const rows: Row[] = await manager.query(`select * from bpetl.protected_references order by name`);
  return rows.map((r) => ({
    name: r.name,
    dataType: r.data_type,
    sourceTable: r.source_table,
    sourceColumn: r.source_column,
    targetTable: r.target_table,
    targetColumn: r.target_column,
    nullable: r.nullable,
    rematch: r.rematch,
    rowFilter: r.row_filter,
    origin: r.origin,
    onDelete: r.on_delete,
  }));
}

/**
 * SQL predicate selecting the rows of `ref.sourceTable` (aliased `s`) whose reference dangles.
 * Identifiers come from the spec table, which only migrations write.
 */
export function danglingPredicate(ref: ProtectedReference, alias = 's'): string {
  const col = `${alias}.${ident(ref.sourceColumn)}`;
  // Filters name columns of the source table unqualified; the only other relation in scope is
  // inside the sub-select, so they resolve to the source row.
  const filter = ref.rowFilter ? ` and (${ref.rowFilter})` : '';
  return (
    `${col} is not null${filter} and not exists (select 1 from ${ident(ref.targetTable)} t ` +
    `where t.${ident(ref.targetColumn)} = ${col})`
  );
}
