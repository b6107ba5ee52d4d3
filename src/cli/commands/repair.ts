import type { Command } from 'commander';

import { emergencyRepair, repairOrphans, type RepairReport } from '../../services/orphans/repair.ts';
import { runCommand } from '../run-command.ts';
import { withApp } from '../with-app.ts';

export function printReport(report: RepairReport, emergency: boolean): void {
  const out: string[] = [];
  // A dry run speaks in the conditional: nothing was repaired or quarantined.
  const repair = report.dryRun ? 'would repair' : 'repaired';
  const quarantine = report.dryRun ? 'would quarantine' : 'quarantined';
  if (emergency) {
    out.push(
      `full scan: ${report.detected} orphan(s) without an event (user rows pointing at nothing that no ` +
        'trigger had recorded, now recorded as orphan events)',
    );
  }
  out.push(
    `${report.examined} open orphan event(s) (user rows pointing at nothing, not yet resolved): ` +
      `${repair} ${report.repaired.length} (re-pointed on a unique match; audited in the repairs query, ` +
      `undoRepair undoes one), ${quarantine} ${report.quarantined.length} (no unique match: kept and ` +
      `flagged, never deleted; listed by the quarantine query)${report.examined > 0 ? '. Each one:' : ''}`,
  );
  for (const r of report.repaired) out.push(`  ${r.description}`);
  for (const q of report.quarantined) out.push(`  ${q.description}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerRepair(program: Command): void {
  program
    .command('repair')
    .description('repair open orphan events on unique matches, quarantine the rest (never deletes)')
    .option('--emergency', 'first scan every protected reference (for when protection was off)')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--json', 'print the RepairReport as one JSON document')
    .action((options: { emergency?: boolean; dryRun?: boolean; json?: boolean }) =>
      runCommand((config) =>
        withApp(config, async (app) => {
          const dryRun = options.dryRun ?? false;
          const report = options.emergency
            ? await emergencyRepair(app.db, { dryRun })
            : await repairOrphans(app.db, { dryRun });
          if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          else printReport(report, options.emergency ?? false);
        }),
      ),
    );
}
