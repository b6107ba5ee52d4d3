/** One thing constraint repair did (or, in a dry run, would do); recorded in bpetl.constraint_repairs. */
export interface ConstraintRepairAction {
  kind: 'MERGE_DUPLICATES' | 'ADD_CONSTRAINT' | 'CHANGE_ON_DELETE' | 'PROTECT_REFERENCE';
  table: string;
  detail: string;
  /** Rows merged away (MERGE_DUPLICATES) or dangling rows left unvalidated (ADD_CONSTRAINT). */
  rows: number;
  /** The bpetl.schema_changes row recording it, when it changed an application table's definition
   * in a way `undoSchemaChange(id)` can take back (a CASCADE made NO ACTION, an added constraint). */
  changeId?: number | null;
}
