import type { Db } from '../../db/sql.ts';
import { type DiscoveredReference, planDiscovery } from '../protection/discover.ts';
import { protectionCoverage } from '../protection/switch.ts';
import type { ConstraintIssue } from './issue.ts';

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
