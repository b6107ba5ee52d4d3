/** One thing constraint repair did (or, in a dry run, would do); recorded in bpetl.constraint_repairs. */
export interface ConstraintRepairAction {
  kind: 'MERGE_DUPLICATES' | 'ADD_CONSTRAINT' | 'CHANGE_ON_DELETE';
  table: string;
  detail: string;
  /** Rows merged away (MERGE_DUPLICATES) or dangling rows left unvalidated (ADD_CONSTRAINT). */
  rows: number;
}
