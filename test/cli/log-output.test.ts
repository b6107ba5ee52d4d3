import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { prettyLine } from '../../src/logger.ts';
import { runCli } from '../helpers/cli.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-log-output-'));
  await chmod(dataDir, 0o755); // as root the cluster runs as postgres, which must reach it
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const PRETTY = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO |WARN |ERROR|FATAL) \S/;

describe('log output: pretty for a person, JSON for machines', () => {
  it('a pino line, pretty: local time, level, message, fields, the stack indented', () => {
    const time = new Date(2026, 0, 2, 3, 4, 5, 6).getTime(); // local time
    const err = new Error('boom');
    const line = JSON.stringify({
      level: 50,
      time,
      service: 'bpetl',
      port: 5,
      dir: '/a b',
      err,
      msg: 'failed',
    });
    const withStack = JSON.stringify({ ...JSON.parse(line), err: { message: 'boom', stack: err.stack } });
    const out = prettyLine(withStack);
    expect(out.split('\n')[0]).toBe('2026-01-02 03:04:05.006 ERROR failed port=5 dir="/a b" err=boom');
    expect(out.split('\n')[1]).toBe('    Error: boom');
    expect(prettyLine('not json')).toBe('not json\n');
  });

  it('LOG_FORMAT=pretty and LOG_FORMAT=json, from a real command', { timeout: 120_000 }, async () => {
    const env = { BPETL_DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    const pretty = await runCli(['migrate'], { ...env, LOG_FORMAT: 'pretty' });
    expect(pretty.status).toBe(0);
    const prettyLogs = pretty.stdout.split('\n').filter((l) => l.includes('creating embedded PostgreSQL'));
    expect(prettyLogs).toHaveLength(1);
    expect(prettyLogs[0]).toMatch(PRETTY);
    expect(prettyLogs[0]).toMatch(/ INFO {2}creating embedded PostgreSQL cluster \(first start\) dir=\//);

    await rm(path.join(dataDir, 'postgres'), { recursive: true, force: true });
    const json = await runCli(['migrate'], { ...env, LOG_FORMAT: 'json' });
    expect(json.status).toBe(0);
    const line = json.stdout.split('\n').find((l) => l.includes('creating embedded PostgreSQL'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 30, service: 'bpetl', time: expect.any(Number) });
  });
});
