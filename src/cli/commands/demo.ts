import type { Command } from 'commander';

import { type DemoRemoval, removeDemoRows } from '../../services/demo/rows.ts';
import { DEMO_SETTING, DEMO_TEAMS, loadDemo } from '../../services/pipeline/demo.ts';
import { runCommand } from '../run-command.ts';
import { withApp } from '../with-app.ts';
import { printRunSummary, progressReporter, runJson } from './import.ts';

function printRemoval(removal: DemoRemoval): void {
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([table, n]) => `${table} ${n}`)
      .join(', ');
  const removed = list(removal.removed);
  if (removal.unrecorded) {
    process.stdout.write(
      'the demo data here was loaded by an earlier version, which did not record its rows: nothing removed. ' +
        'Import with --allow-shrink to retire the demo teams, or start from a new BPETL_DATA_DIR\n',
    );
    return;
  }
  process.stdout.write(removed ? `removed the demo data: ${removed}\n` : 'no demo data to remove\n');
  const kept = list(removal.kept);
  if (kept) {
    const retired = list(removal.retired);
    process.stdout.write(
      `kept demo rows that other data refers to: ${kept}${retired ? `; retired of them: ${retired}` : ''}\n`,
    );
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('load generated demo leagues through the pipeline, then attach demo user data')
    .option('--teams <n>', 'teams in the generated feed', String(DEMO_TEAMS))
    .option('--remove', 'delete the rows the demo created (reference and user data), and nothing else')
    .option('--json', 'print the run and the user data counts as one JSON document')
    .action((options: { teams: string; remove?: boolean; json?: boolean }) =>
      runCommand(async (config) => {
        if (options.remove) {
          return withApp(config, async (app) => {
            const removal = await removeDemoRows(app.db, DEMO_SETTING);
            if (options.json) process.stdout.write(`${JSON.stringify(removal, null, 2)}\n`);
            else printRemoval(removal);
            return 0;
          });
        }
        const teams = Number(options.teams);
        if (!Number.isInteger(teams) || teams < 10 || teams > 1_000_000) {
          process.stderr.write('error INVALID_INPUT: --teams must be an integer between 10 and 1000000\n');
          return 1;
        }
        return withApp(config, async (app) => {
          const progress = progressReporter(!options.json);
          try {
            const result = await loadDemo(app, { teams, onEvent: (e) => progress.onEvent(e) });
            progress.stop();
            if (options.json) {
              process.stdout.write(
                `${JSON.stringify({ run: runJson(result.run), userData: result.userData }, null, 2)}\n`,
              );
              return 0;
            }
            printRunSummary(result.run);
            process.stdout.write(
              result.userData
                ? `demo user data: ${result.userData.total} rows over ${result.userData.teams} teams\n`
                : 'demo user data was already loaded; reference data refreshed\n',
            );
            return 0;
          } finally {
            progress.stop();
          }
        });
      }),
    );
}
