#!/usr/bin/env node
import { readFileSync } from 'node:fs';

import { Command, Help } from 'commander';

import { installInterruptHandling } from './interrupt.ts';
import { COMMANDS } from './manifest.ts';

// Before anything else: a Ctrl-C at any moment ends the command with its documented status.
installInterruptHandling();

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program: Command = new Command()
  .name('bpetl')
  .description(
    'bulletproof-etl: refresh league reference data in PostgreSQL without orphaning or losing user data.\n' +
      'Configuration comes from the environment (DATABASE_URL, PORT, BPETL_API_TOKEN, …); see the README.',
  )
  .version(version, '-V, --version', 'print the version')
  .showHelpAfterError('(add --help for usage)')
  .configureHelp({
    sortSubcommands: false,
    // A command not loaded has no options or arguments to list: its term comes from the manifest.
    subcommandTerm: (cmd): string =>
      (cmd.parent === program && Object.hasOwn(COMMANDS, cmd.name()) ? COMMANDS[cmd.name()]!.term : null) ??
      Help.prototype.subcommandTerm.call(new Help(), cmd),
  })
  // Commander's own failures (unknown command or option, missing argument) in the form every
  // other failure takes: `error CODE: message`.
  .configureOutput({
    outputError: (text, write) => write(text.replace(/^error: /, 'error INVALID_INPUT: ')),
  });

// Only the command being run is loaded (`bpetl help import` is `import --help`); otherwise each
// command is a name and a description, enough for the help and for "did you mean".
const args = process.argv.slice(2);
const named = args[0] === 'help' ? args[1] : args[0];
const entry = named !== undefined && Object.hasOwn(COMMANDS, named) ? COMMANDS[named] : undefined;
for (const [name, command] of Object.entries(COMMANDS)) {
  if (command === entry) (await command.load())(program);
  else program.command(name).description(command.description);
}

await program.parseAsync(process.argv);
// Exit explicitly: a library's leftover handle (a pool's timer, a socket) must not hold the process.
process.exit(process.exitCode ?? 0);
