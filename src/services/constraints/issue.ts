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
