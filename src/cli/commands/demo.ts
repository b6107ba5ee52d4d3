import type { Command } from 'commander';

import { DEMO_TEAMS, loadDemo } from '../../services/pipeline/demo.ts';
import { runCommand } from '../run-command.ts';
import { withApp } from '../with-app.ts';
import { printRunSummary, progressReporter, runJson } from './import.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('load generated demo leagues through the pipeline, then attach demo user data')
    .option('--teams <n>', 'teams in the generated feed', String(DEMO_TEAMS))
    .option('--json', 'print the run and the user data counts as one JSON document')
    .action((options: { teams: string; json?: boolean }) =>
      runCommand(async (config) => {
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
