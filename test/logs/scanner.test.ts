import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createClassifier } from '../../src/logs/classifier.ts';
import { EntrySplitter } from '../../src/logs/entry-splitter.ts';
import { pinoParser } from '../../src/logs/formats/pino.ts';
import { CHUNK_SIZE } from '../../src/logs/reader.ts';
import { scanLogs } from '../../src/logs/scanner.ts';
import { renderScanSummary } from '../../src/logs/summary.ts';

let dir: string;

const STDERR = [
  '2025-08-06 10:00:00.100 UTC [11] LOG:  statement: insert into teams values (1) on conflict do nothing',
  '2025-08-06 10:00:01.000 UTC [11] ERROR:  duplicate key value violates unique constraint "teams_pkey"',
  '2025-08-06 10:00:01.000 UTC [11] DETAIL:  Key (id)=(4) already exists.',
  '2025-08-06 10:00:01.000 UTC [11] STATEMENT:  insert into teams (id) values (4)',
  '2025-08-07 11:00:00.000 UTC [12] ERROR:  deadlock detected',
  '2025-08-07 11:00:00.000 UTC [12] DETAIL:  Process 12 waits for ShareLock on transaction 9; blocked by process 13.',
  '\tProcess 13 waits for ShareLock on transaction 8; blocked by process 12.',
  '2025-08-07 11:00:00.000 UTC [12] HINT:  See server log for query details.',
  '2025-08-07 11:00:00.000 UTC [12] CONTEXT:  while updating tuple (0,1) in relation "teams"',
  '2025-08-07 11:00:00.000 UTC [12] STATEMENT:  update teams set team_name = $1',
  '2025-08-07 11:00:02.000 UTC [13] ERROR:  duplicate key value violates unique constraint "teams_pkey"',
  '2025-08-07 11:00:02.000 UTC [13] DETAIL:  Key (id)=(5) already exists.',
  '',
].join('\n');

const PINO = [
  '{"level":30,"time":1754474400000,"msg":"upsert of 40 teams done"}',
  '{"level":50,"time":1754474401000,"msg":"orphan poll 5531 references retired team 12"}',
  '{"level":40,"time":1754474402000,"msg":"orphan poll 77 references retired team 3"}',
  '',
].join('\n');

const PYTHON = [
  '2025-08-06 10:00:00,123 [INFO] etl.sync: starting',
  '2025-08-06 10:00:01,456 [ERROR] etl.sync: upsert failed for team 12',
  'Traceback (most recent call last):',
  '  File "sync.py", line 88, in upsert_team',
  'psycopg2.OperationalError: server closed the connection unexpectedly',
  '2025-08-06 10:00:02,000 [ERROR] etl.sync: upsert failed for team 13',
].join('\n'); // no final newline: the last entry still counts at the end of the file

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-scan-'));
  await writeFile(path.join(dir, 'postgresql.log'), STDERR);
  await writeFile(path.join(dir, 'etl.log'), PINO);
  await writeFile(path.join(dir, 'sync.log'), PYTHON);
  await writeFile(path.join(dir, 'postgresql.log.1.gz'), gzipSync(STDERR));
  const gz = gzipSync(STDERR.repeat(50));
  await writeFile(path.join(dir, 'truncated.log.gz'), gz.subarray(0, Math.floor(gz.length / 2)));
  await writeFile(
    path.join(dir, 'core.bin'),
    Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256)),
  );
  await writeFile(
    path.join(dir, 'garbled.log'),
    Buffer.concat([
      Buffer.from(
        '2025-08-06 09:00:00,000 [INFO] sync: a line of ordinary text to keep the garbage rare\n'.repeat(40),
      ),
      Buffer.from('2025-08-06 10:00:00,000 [ERROR] deadlock detected in sync\n'),
      Buffer.from('\0\0\0\x01\x02 deadlock detected\0\0\n'),
      Buffer.from('2025-08-06 10:00:09,000 [ERROR] DeadLock Detected in sync\n'),
    ]),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scanLogs', () => {
  it('counts every entry once, in one category, across formats and gzip', async () => {
    const result = await scanLogs({
      paths: [path.join(dir, '*.log'), path.join(dir, 'postgresql.log.1.gz')],
    });
    expect(result.totals).toEqual({
      DEADLOCK: 2 + 2,
      ABORTED_TRANSACTION: 0,
      CONSTRAINT_VIOLATION: 4,
      CONNECTION_TIMEOUT: 1,
      ORPHAN_INDICATOR: 2,
      UPSERT_FAILURE: 1,
    });
    const unique = result.findings.find((f) => f.category === 'CONSTRAINT_VIOLATION')!;
    expect(unique).toMatchObject({
      count: 4,
      firstSeen: '2025-08-06T10:00:01.000Z',
      lastSeen: '2025-08-07T11:00:02.000Z',
      files: [path.join(dir, 'postgresql.log'), path.join(dir, 'postgresql.log.1.gz')],
    });
    expect(unique.sample).toContain('DETAIL:  Key (id)=(4) already exists.');
    expect(result.findings.find((f) => f.category === 'ORPHAN_INDICATOR')?.count).toBe(2);
    // The traceback says why the upsert failed; the second upsert failure has no cause given.
    expect(result.findings.find((f) => f.category === 'CONNECTION_TIMEOUT')?.sample).toContain('Traceback');
    expect(result.files.map((f) => [path.basename(f.file), f.format, f.gzip])).toEqual([
      ['etl.log', 'pino', false],
      ['garbled.log', 'text', false],
      ['postgresql.log', 'pg-stderr', false],
      ['postgresql.log.1.gz', 'pg-stderr', true],
      ['sync.log', 'text', false],
    ]);
  });

  it('reports a truncated gzip, a binary file and garbage lines, and goes on', async () => {
    const result = await scanLogs({ paths: [dir] });
    expect(result.problems).toEqual(
      expect.arrayContaining([
        { file: path.join(dir, 'truncated.log.gz'), reason: 'truncated gzip: the file ends early' },
        { file: path.join(dir, 'core.bin'), reason: 'binary content, not a text log: skipped' },
        { file: path.join(dir, 'garbled.log'), reason: '1 line(s) of binary content skipped' },
      ]),
    );
    expect(result.problems).toHaveLength(3);
    expect(result.files.find((f) => f.file.endsWith('garbled.log'))?.totals).toEqual({ DEADLOCK: 2 });
    expect(result.files.find((f) => f.file.endsWith('postgresql.log'))?.totals).toEqual({
      CONSTRAINT_VIOLATION: 2,
      DEADLOCK: 1,
    });
  });

  it('renders a table per category and file, with the problems', async () => {
    const table = renderScanSummary(
      await scanLogs({ paths: [path.join(dir, 'postgresql.log'), path.join(dir, 'nope')] }),
    );
    expect(table).toMatch(/^CONSTRAINT_VIOLATION +2 +1$/m);
    expect(table).toMatch(/postgresql\.log +pg-stderr +DEADLOCK +1$/m);
    expect(table).toContain(`problem: ${path.join(dir, 'nope')}: no such file or directory`);
  });

  it('reports paths that name nothing', async () => {
    const result = await scanLogs({ paths: [path.join(dir, 'nope.log')] });
    expect(result.problems).toEqual([
      { file: path.join(dir, 'nope.log'), reason: 'no such file or directory' },
    ]);
    expect(result.findings).toEqual([]);
  });

  it('keeps an entry whole when it straddles a read boundary', async () => {
    const big = path.join(dir, 'big', 'postgresql.log');
    const filler = '2025-08-06 10:00:00.000 UTC [1] LOG:  checkpoint complete\n';
    const error =
      '2025-08-06 10:00:00.000 UTC [2] ERROR:  current transaction is aborted, commands ignored until end of transaction block\n';
    const detail = '2025-08-06 10:00:00.000 UTC [2] STATEMENT:  select 1 -- deadlock detected\n';
    const parts: string[] = [];
    let size = 0;
    const put = (s: string) => (parts.push(s), (size += s.length));
    let placed = 0;
    for (const boundary of [CHUNK_SIZE, 2 * CHUNK_SIZE]) {
      while (size + filler.length < boundary - error.length - 5) put(filler);
      put(`${'x'.repeat(boundary - error.length - 5 - size - 1)}\n`);
      put(error); // ends 5 bytes before the boundary; its STATEMENT line crosses it
      put(detail);
      placed++;
    }
    put(filler);
    await import('node:fs/promises').then((fs) => fs.mkdir(path.dirname(big)));
    await writeFile(big, parts.join(''));
    const result = await scanLogs({ paths: [big] });
    expect(placed).toBe(2);
    expect(result.totals.ABORTED_TRANSACTION).toBe(2);
    expect(result.totals.DEADLOCK).toBe(0);
  });

  it('cuts a line longer than the pending limit instead of holding it whole', () => {
    const splitter = new EntrySplitter(pinoParser, createClassifier(), 'x.log', () => undefined);
    const endless = Buffer.from(`{"level":50,"msg":"${'x'.repeat(9 * 1024 * 1024)}`);
    expect(splitter.feed(endless.subarray(0, 1024), 'more')).toBe(0);
    expect(splitter.feed(endless, 'more')).toBe(endless.length);
  });

  it('counts configured patterns as their own category', async () => {
    const result = await scanLogs({
      paths: [path.join(dir, 'sync.log')],
      patterns: [{ category: 'SYNC_TEAM', pattern: 'upsert failed for team 13' }],
    });
    expect(result.totals).toMatchObject({ SYNC_TEAM: 1, CONNECTION_TIMEOUT: 1 });
  });
});
