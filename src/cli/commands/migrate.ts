import type { Command } from 'commander';

import { openDatabase } from '../../app/database.ts';
import { migrate } from '../../app/migrate.ts';
import { migrateDown } from '../../db/migrate.ts';
import { runCommand } from '../run-command.ts';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending migrations (tables, constraints, protection triggers)')
    .option('--down <id>', 'revert migrations above this id instead (0 reverts all)')
    .action((options: { down?: string }) =>
      runCommand(async (config) => {
        const db = await openDatabase(config, { migrate: false });
        try {
          if (options.down !== undefined) {
            const reverted = await migrateDown(db.url, Number(options.down));
            process.stdout.write(
              `reverted ${reverted.length} migration(s)${reverted.length ? `: ${reverted.join(', ')}` : ''}\n`,
            );
          } else {
            const applied = await migrate(db.url);
            process.stdout.write(
              applied.length
                ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n`
                : 'database is up to date\n',
            );
          }
        } finally {
          await db.stop();
        }
      }),
    );
}
