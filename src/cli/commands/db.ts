import type { Command } from 'commander';

import { currentDatabaseUrl, embeddedDir } from '../../app/database.ts';
import { AppError } from '../../errors.ts';
import { runCommand } from '../run-command.ts';

export function registerDb(program: Command): void {
  const db = program.command('db').description('the database bpetl uses');
  db.command('url')
    .description(
      "print the connection URL (DATABASE_URL, or the running embedded cluster's) for psql and other tools",
    )
    .action(() =>
      runCommand(async (config) => {
        const url = await currentDatabaseUrl(config);
        if (url === null) {
          throw new AppError(
            'DATABASE_UNAVAILABLE',
            `The embedded database in ${embeddedDir(config)} is not running: start \`bpetl serve\` ` +
              '(the cluster runs while any bpetl process uses it), or set DATABASE_URL',
          );
        }
        process.stdout.write(`${url}\n`);
      }),
    );
}
