import type { Command } from 'commander';

import { checkHealth, type HealthReport, type HealthStatus } from '../../services/health/report.ts';
import { runCommand } from '../run-command.ts';
import { withDb } from '../with-db.ts';

/** Exit status per health status, so cron and monitors can act on `bpetl health`. */
export const HEALTH_EXIT: Record<HealthStatus, number> = { HEALTHY: 0, DEGRADED: 1, CRITICAL: 2 };

/** The fields of the GraphQL `HealthReport`, as GraphQL serialises them. */
export function healthJson(report: HealthReport) {
  return { ...report, checkedAt: report.checkedAt.toISOString() };
}

export function printHealth(report: HealthReport): void {
  const out: string[] = [
    `health ${report.score}/100 ${report.status}  (checked ${report.checkedAt.toISOString()})`,
  ];
  if (report.types.length > 0) {
    out.push(
      '  per protected type: its user rows, and orphans (rows pointing at nothing; ' +
        'bpetl repair --dry-run shows what would fix them)',
    );
  }
  for (const type of report.types) {
    out.push(`  ${type.name.padEnd(22)} ${String(type.rows).padStart(9)} rows  ${type.orphans} orphan(s)`);
  }
  for (const check of report.checks) {
    out.push(
      `  check ${check.check}: ${check.issues} issue(s) (listed below), ${check.rows} row(s) affected, ` +
        `-${check.penalty} point(s)`,
    );
  }
  for (const issue of report.issues) {
    out.push(`  ${issue.severity.padEnd(8)} ${issue.message}`, `           fix: ${issue.fix}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

export function registerHealth(program: Command): void {
  program
    .command('health')
    .description('score the database 0-100 (exit 0 healthy, 1 degraded, 2 critical)')
    .option('--json', 'print the HealthReport as one JSON document')
    .action((options: { json?: boolean }) =>
      runCommand((config) =>
        withDb(config, async (db) => {
          const report = await checkHealth(db);
          if (options.json) process.stdout.write(`${JSON.stringify(healthJson(report), null, 2)}\n`);
          else printHealth(report);
          return HEALTH_EXIT[report.status];
        }),
      ),
    );
}
