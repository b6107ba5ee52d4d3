import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { Command, Help } from 'commander';
import { describe, expect, it } from 'vitest';

import { COMMANDS } from '../../src/cli/manifest.ts';
import { ROOT, runCli } from '../helpers/cli.ts';

describe('the command manifest', () => {
  // `bpetl --help` lists commands from the manifest without loading them: it must say what they say.
  it.each(Object.keys(COMMANDS))('%s: term and description as its module registers them', async (name) => {
    const program = new Command();
    (await COMMANDS[name]!.load())(program);
    const command = program.commands.find((c) => c.name() === name)!;
    expect(command).toBeDefined();
    expect(COMMANDS[name]!.term).toBe(new Help().subcommandTerm(command));
    expect(COMMANDS[name]!.description).toBe(command.description());
  });
});

describe('instant commands', () => {
  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ status: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('--help lists every command with its arguments', async () => {
    const result = await runCli(['--help']);
    expect(result.status).toBe(0);
    for (const { term } of Object.values(COMMANDS)) expect(result.stdout).toContain(term);
  });

  it("a command's own help shows its options", async () => {
    const result = await runCli(['help', 'import']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--allow-shrink');
  });

  // dist/ is what `npm ci` builds (prepare); a checkout built with --ignore-scripts has none.
  it.skipIf(!existsSync(path.join(ROOT, 'dist/cli/main.js')))('the compiled CLI runs', () => {
    const result = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli/main.js'), 'help', 'db'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('url');
  });
});
