import type { LogFinding } from '../../src/logs/types.ts';
import { recordFindings, type RecordOptions } from '../../src/services/logs/findings.ts';
import type { TestDatabase } from './database.ts';

/** Stores findings as the follower does: in a transaction of their own. */
export function recordIn(db: TestDatabase, findings: LogFinding[], options?: RecordOptions) {
  return db.transaction((tx) => recordFindings(tx, findings, options));
}
