import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runCli } from '../helpers/cli.ts';

let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-fail-fast-'));
  env = { BPETL_DATA_DIR: path.join(dir, 'data') };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The command failed with exactly this one line, and never opened (or created) a database. */
async function failsFast(args: string[], line: string, extraEnv: Record<string, string> = {}) {
  const result = await runCli(args, { ...env, ...extraEnv });
  expect(result.stderr.trim()).toBe(line);
  expect(result.status).toBe(1);
  expect(existsSync(path.join(dir, 'data', 'postgres'))).toBe(false);
}

describe('bpetl import checks its input before a run starts', () => {
  it('a path that does not exist', async () => {
    const missing = path.join(dir, 'no-such-feed');
    await failsFast(['import', missing], `error SOURCE_UNREADABLE: ${missing} does not exist`);
  });

  it('a directory that is not a league feed', async () => {
    const empty = path.join(dir, 'empty');
    await mkdir(empty, { recursive: true });
    await failsFast(
      ['import', empty],
      `error SOURCE_UNREADABLE: ${empty} is not a league feed: it holds none of series_stats.json, players.json, schedules.json`,
    );
  });

  it('a file of a kind that is not a source', async () => {
    const json = path.join(dir, 'players.json');
    await writeFile(json, '[]');
    await failsFast(
      ['import', json],
      `error SOURCE_UNREADABLE: ${json}: a single JSON file is not a source: pass the league feed directory that holds it`,
    );
  });

  it('an unknown --league lists the known codes and their spellings', async () => {
    const feed = path.join(dir, 'feed');
    await mkdir(feed, { recursive: true });
    await writeFile(path.join(feed, 'series_stats.json'), '[]');
    await failsFast(
      ['import', feed, '--league', 'APTA', '--league', 'MARS'],
      'error INVALID_INPUT: unknown league "MARS" (--league): known leagues are APTA_CHICAGO (or APTA), NSTF (or NSFT), ' +
        'CNSWPL, CITA; case, spaces and punctuation do not matter (apta-chicago is APTA_CHICAGO)',
    );
  });
});

describe("commander's own failures speak as every other failure does", () => {
  it('an unknown command', async () => {
    const result = await runCli(['helth'], env);
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe("error INVALID_INPUT: unknown command 'helth'");
    expect(result.stderr).toContain('(Did you mean health?)');
  });

  it('a missing argument', async () => {
    const result = await runCli(['import'], env);
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe("error INVALID_INPUT: missing required argument 'path'");
  });

  it('an unknown option', async () => {
    const result = await runCli(['health', '--jsn'], env);
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')[0]).toMatch(/^error INVALID_INPUT: unknown option '--jsn'/);
  });
});

it('an unknown LOG_LEVEL is one configuration line, no stack trace', async () => {
  await failsFast(
    ['health'],
    'error INVALID_INPUT: Invalid configuration: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"',
    { LOG_LEVEL: 'verbose' },
  );
});

it('bpetl watch against a stopped server names the URL and says to start one', async () => {
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  await failsFast(
    ['watch', '--url', url],
    `error SERVER_UNAVAILABLE: No bpetl server at ${url} (ECONNREFUSED): start it with \`bpetl serve\`, or pass --url`,
  );
});
