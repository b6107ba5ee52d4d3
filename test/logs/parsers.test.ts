import { describe, expect, it } from 'vitest';

import { detectFormat } from '../../src/logs/formats/detect.ts';
import { asSqlState, joinText, pgEntryMatters } from '../../src/logs/formats/parser.ts';
import { pinoParser } from '../../src/logs/formats/pino.ts';
import { looksLikeCsvlog, pgCsvParser } from '../../src/logs/formats/postgres-csv.ts';
import { pgJsonParser } from '../../src/logs/formats/postgres-json.ts';
import { hasPgMarker, pgStderrParser } from '../../src/logs/formats/postgres-stderr.ts';
import { textParser } from '../../src/logs/formats/text.ts';
import { levelCounts, levelRank } from '../../src/logs/level.ts';

const T0 = Date.UTC(2025, 7, 6, 10);

describe('parser helpers', () => {
  it('takes a SQLSTATE only as five upper-case letters and digits with at least one digit', () => {
    expect(asSqlState('23505')).toBe('23505');
    expect(asSqlState('40P01')).toBe('40P01');
    expect(asSqlState('ERROR')).toBeNull();
    expect(asSqlState('2350')).toBeNull();
    expect(asSqlState('235050')).toBeNull();
    expect(asSqlState('x23505')).toBeNull();
    expect(asSqlState('40p01')).toBeNull();
    expect(asSqlState(23505)).toBeNull();
  });

  it('counts ERROR, FATAL, PANIC and WARNING, and LOG lines that do not echo a statement', () => {
    for (const s of ['ERROR', 'FATAL', 'PANIC', 'WARNING']) {
      expect(pgEntryMatters(s, 'statement: x'), s).toBe(true);
    }
    for (const m of [
      'statement: select 1',
      'duration: 3 ms',
      'execute S_1: x',
      'parse x',
      'bind x',
      'STATEMENT: x',
    ]) {
      expect(pgEntryMatters('LOG', m), m).toBe(false);
    }
    expect(pgEntryMatters('LOG', 'checkpoint starting')).toBe(true);
    expect(pgEntryMatters('LOG', 'statements were lost')).toBe(true);
    expect(pgEntryMatters('LOG', 'the statement: x')).toBe(true);
    for (const s of ['NOTICE', 'INFO', 'DEBUG1', null]) {
      expect(pgEntryMatters(s, 'deadlock'), String(s)).toBe(false);
    }
  });

  it('joins the strings that are set, one a line', () => {
    expect(joinText('a', '', undefined, 3, 'b')).toBe('a\nb');
    expect(joinText()).toBe('');
  });
});

describe('levels', () => {
  it('ranks severities in any case, and has no rank for print output or unknown words', () => {
    expect(levelRank('error')).toBe(levelRank('ERROR'));
    expect(levelRank('ERROR')!).toBeGreaterThan(levelRank('WARNING')!);
    expect(levelRank(null)).toBeNull();
    expect(levelRank('LOUD')).toBeNull();
    expect(levelCounts(null, 30)).toBe(true);
    expect(levelCounts('WARNING', levelRank('WARNING')!)).toBe(true);
    expect(levelCounts('INFO', levelRank('WARNING')!)).toBe(false);
  });
});

describe('pino lines', () => {
  it('names numeric levels, and buckets levels pino does not name', () => {
    const level = (l: unknown) => pinoParser.parse(JSON.stringify({ level: l, msg: 'x' }))!.severity;
    expect(level(10)).toBe('TRACE');
    expect(level(60)).toBe('FATAL');
    expect(level(55)).toBe('ERROR');
    expect(level(50)).toBe('ERROR');
    expect(level(45)).toBe('WARN');
    expect(level(40)).toBe('WARN');
    expect(level(35)).toBe('INFO');
    expect(level('warn')).toBe('WARN');
    expect(level(undefined)).toBeNull();
    expect(level(true)).toBeNull();
  });

  it('joins msg and err.message, once when the one contains the other', () => {
    const parse = (o: object) => pinoParser.parse(JSON.stringify({ level: 50, ...o }))!;
    expect(parse({ msg: 'upsert failed', err: { message: 'deadlock detected' } }).message).toBe(
      'upsert failed: deadlock detected',
    );
    expect(
      parse({ msg: 'upsert failed: deadlock detected', err: { message: 'deadlock detected' } }).message,
    ).toBe('upsert failed: deadlock detected');
    expect(parse({ err: { message: 'deadlock detected' } }).message).toBe('deadlock detected');
    expect(parse({ message: 'from message', error: { message: 'boom' } }).message).toBe('from message: boom');
    expect(parse({ msg: 'only msg' }).message).toBe('only msg');
    expect(parse({ msg: 5, err: 'not an object' }).message).toBe('');
    expect(parse({ msg: 'm', err: { message: 7 } }).message).toBe('m');
  });

  it('takes the SQLSTATE from err.code, then code, then sqlState, and the detail from err', () => {
    const parse = (o: object) => pinoParser.parse(JSON.stringify({ level: 50, msg: 'x', ...o }))!;
    expect(parse({ err: { code: 'ECONNRESET' }, code: '57P01' }).sqlState).toBe('57P01');
    expect(parse({ err: { code: '23505' }, code: '57P01' }).sqlState).toBe('23505');
    expect(parse({ sqlState: '40P01' }).sqlState).toBe('40P01');
    expect(parse({ error: { code: '25P02' } }).sqlState).toBe('25P02');
    expect(parse({}).sqlState).toBeNull();
    expect(parse({ err: { detail: 'd', hint: 'h', where: 'w' } }).detail).toBe('d\nh\nw');
  });

  it('reads an epoch or string time', () => {
    expect(pinoParser.parse(JSON.stringify({ level: 50, time: T0, msg: 'x' }))!.time).toBe(T0);
    expect(
      pinoParser.parse(JSON.stringify({ level: 50, time: '2025-08-06T10:00:00Z', msg: 'x' }))!.time,
    ).toBe(T0);
  });

  it('is one line an entry', () => {
    expect(pinoParser.multiline).toBe(false);
    expect(pinoParser.isHead('anything')).toBe(true);
  });
});

const csvRow = (fields: Record<number, string>, count = 26) =>
  Array.from({ length: count }, (_, i) => fields[i] ?? '').join(',');

describe('csvlog', () => {
  it('reads time, severity, code, message and detail, hint and context from their columns', () => {
    const row = csvRow({
      0: '2025-08-06 10:00:00.000 UTC',
      11: 'ERROR',
      12: '40P01',
      13: 'deadlock detected',
      14: 'Process 1 waits',
      15: 'See server log',
      16: 'internal query',
      18: 'while updating tuple',
      19: 'update teams',
    });
    expect(pgCsvParser.parse(row)).toEqual({
      time: T0,
      severity: 'ERROR',
      sqlState: '40P01',
      message: 'deadlock detected',
      detail: 'Process 1 waits\nSee server log\nwhile updating tuple',
      raw: row,
    });
  });

  it('drops rows that stop before the message, that do not matter, or that are not CSV', () => {
    expect(pgCsvParser.parse(csvRow({ 0: '2025-08-06 10:00:00 UTC', 11: 'ERROR' }, 13))).toBeNull();
    expect(
      pgCsvParser.parse(csvRow({ 0: '2025-08-06 10:00:00 UTC', 11: 'ERROR', 13: 'm' }, 14)),
    ).not.toBeNull();
    expect(
      pgCsvParser.parse(csvRow({ 0: '2025-08-06 10:00:00 UTC', 11: 'NOTICE', 13: 'deadlock' })),
    ).toBeNull();
    expect(pgCsvParser.parse('')).toBeNull();
  });

  it('knows a csvlog line by its stamp, its quoted or plain second column and its column count', () => {
    const line = csvRow({ 0: '2025-08-06 10:00:00 UTC', 1: '"postgres"', 11: 'ERROR' }, 14);
    expect(looksLikeCsvlog(line)).toBe(true);
    expect(looksLikeCsvlog(csvRow({ 0: '2025-08-06 10:00:00 UTC', 1: 'postgres' }, 14))).toBe(true);
    expect(looksLikeCsvlog(csvRow({ 0: '2025-08-06 10:00:00 UTC' }, 13))).toBe(false);
    expect(looksLikeCsvlog(csvRow({ 0: 'x 2025-08-06 10:00:00 UTC' }, 14))).toBe(false);
    expect(looksLikeCsvlog(`2025-08-06 10:00:00 UTC ERROR:  ${','.repeat(20)}`)).toBe(true);
    expect(pgCsvParser.isHead('2025-08-06 10:00:00.1 UTC,"x"')).toBe(true);
    expect(pgCsvParser.isHead(' 2025-08-06 10:00:00')).toBe(false);
  });
});

describe('jsonlog', () => {
  it('reads its fields, detail, hint and context, and drops what does not matter', () => {
    const line = JSON.stringify({
      timestamp: '2025-08-06 10:00:00.000 UTC',
      error_severity: 'ERROR',
      state_code: '23505',
      message: 'duplicate key',
      detail: 'd',
      hint: 'h',
      context: 'c',
      statement: 's',
    });
    expect(pgJsonParser.parse(line)).toEqual({
      time: T0,
      severity: 'ERROR',
      sqlState: '23505',
      message: 'duplicate key',
      detail: 'd\nh\nc',
      raw: line,
    });
    expect(pgJsonParser.parse(JSON.stringify({ error_severity: 'LOG', message: 'statement: x' }))).toBeNull();
    expect(pgJsonParser.parse(JSON.stringify({ error_severity: 5, message: 'x' }))).toBeNull();
    expect(pgJsonParser.parse(JSON.stringify({ error_severity: 'ERROR', message: 5 }))?.message).toBe('');
    expect(pgJsonParser.parse('{not json')).toBeNull();
    expect(pgJsonParser.multiline).toBe(false);
    expect(pgJsonParser.isHead('x')).toBe(true);
  });
});

describe('PostgreSQL stderr, in detail', () => {
  it('gathers multi-line DETAIL, HINT and CONTEXT, tab-indented lines joining the part before them', () => {
    const raw = [
      '2025-08-06 10:00:00 UTC [1] ERROR:  deadlock detected',
      '\tsecond line of the message',
      '2025-08-06 10:00:00 UTC [1] DETAIL:  Process 1 waits',
      '\tProcess 2 waits',
      '2025-08-06 10:00:00 UTC [1] HINT:  See server log',
      '2025-08-06 10:00:00 UTC [1] CONTEXT:  while updating',
      '2025-08-06 10:00:00 UTC [1] STATEMENT:  update teams',
      '\tset x = 1',
    ].join('\n');
    expect(pgStderrParser.parse(raw)).toEqual({
      time: T0,
      severity: 'ERROR',
      sqlState: null,
      message: 'deadlock detected\nsecond line of the message',
      detail: 'Process 1 waits\nProcess 2 waits\nSee server log\nwhile updating',
      raw,
    });
  });

  it('needs two spaces after the label, and a label as a word', () => {
    expect(pgStderrParser.parse('t [1] ERROR: one space')).toBeNull();
    expect(pgStderrParser.parse('t [1] XERROR:  glued')).toBeNull();
    expect(hasPgMarker('t [1] ERROR:  x')).toBe(true);
    expect(hasPgMarker('t [1] DEBUG3:  x')).toBe(true);
    expect(hasPgMarker('t [1] ERROR: x')).toBe(false);
    expect(pgStderrParser.isHead('t [1] CONTEXT:  x')).toBe(false);
    expect(pgStderrParser.isHead('t [1] LOG:  x')).toBe(true);
    expect(pgStderrParser.isHead('some other line')).toBe(true);
  });

  it('finds a SQLSTATE token anywhere in the prefix, the last one winning, and no pid', () => {
    const code = (prefix: string) => pgStderrParser.parse(`${prefix}ERROR:  x`)!.sqlState;
    expect(code('2025-08-06 10:00:00 UTC 23505 ')).toBe('23505');
    expect(code('app=bpetl,40P01 ')).toBe('40P01');
    expect(code('(57014) ')).toBe('57014');
    expect(code('|25P02| ')).toBe('25P02');
    expect(code('u@db:08006: ')).toBe('08006');
    expect(code('23505 40P01 ')).toBe('40P01');
    expect(code('40P01 ABCDE ')).toBe('40P01');
    expect(code('x23505 ')).toBeNull();
    expect(code('[23505] ')).toBeNull();
    expect(code('234567 ')).toBeNull();
  });
});

describe('format detection, in detail', () => {
  const pino = '{"level":50,"msg":"x"}';
  const pgJson = '{"error_severity":"ERROR","message":"x"}';
  const stderr = '2025-08-06 10:00:00 UTC [1] ERROR:  x';

  it('goes by the majority of the sampled lines', () => {
    expect(detectFormat([pino, pino, stderr].join('\n')).format).toBe('pino');
    expect(detectFormat([stderr, stderr, pino].join('\n')).format).toBe('pg-stderr');
    expect(detectFormat([pgJson, pgJson, pino].join('\n')).format).toBe('pg-json');
  });

  it('does not count JSON that is not an object of a known kind', () => {
    expect(detectFormat(['{"other":1}', '{"other":1}', stderr].join('\n')).format).toBe('pg-stderr');
    expect(detectFormat(['{broken', '{broken', stderr].join('\n')).format).toBe('pg-stderr');
    expect(detectFormat(['null', '[1]', '{"level":1}'].join('\n')).format).toBe('pino');
  });

  it('samples the first 200 lines only', () => {
    const sample = [...Array(200).fill(stderr), pino, pino, pino].join('\n');
    expect(detectFormat(sample).format).toBe('pg-stderr');
    const later = [...Array(199).fill('plain line'), pino, ...Array(300).fill(stderr)].join('\n');
    expect(detectFormat(later).format).toBe('pino');
  });

  it('reads plain text as stamped when the first line or a third of the lines carry a stamp', () => {
    const stamped = '2025-08-06 10:00:00 something';
    const multiline = (sample: string) => {
      const p = detectFormat(sample);
      expect(p.format).toBe('text');
      // Stamped text takes an unstamped, unindented line as a continuation; unstamped text does not.
      return !p.isHead('Traceback (most recent call last):');
    };
    expect(multiline([stamped, 'a', 'b', 'c', 'd'].join('\n'))).toBe(true);
    expect(multiline(['a', stamped, 'b', 'c'].join('\n'))).toBe(false);
    expect(multiline(['a', stamped, 'b'].join('\n'))).toBe(true);
    expect(multiline(['', '  ', 'a', stamped, 'b'].join('\n'))).toBe(true);
    expect(multiline(['a', 'b', 'c'].join('\n'))).toBe(false);
  });
});

describe('plain text entries', () => {
  const latin1 = (s: string) => Buffer.from(s).toString('latin1');

  it('without stamps, takes every unindented line as a head, and an indented printed status line', () => {
    const p = textParser(false);
    expect(p.isHead('plain line')).toBe(true);
    expect(p.isHead('')).toBe(false);
    expect(p.isHead('  at foo (bar.js:1)')).toBe(false);
    expect(p.isHead('\tcontinued')).toBe(false);
    expect(p.isHead(latin1('  🔍 checking orphans'))).toBe(true);
    expect(p.isHead(latin1('  ✅ done'))).toBe(true);
  });

  it('with stamps, takes stamped, clock-stamped, logging-default and printed status lines as heads', () => {
    const p = textParser(true);
    expect(p.isHead('2025-08-06 10:00:00,123 [ERROR] x')).toBe(true);
    expect(p.isHead('[2025-08-06T10:00:00] x')).toBe(true);
    expect(p.isHead('[06:00:12] x')).toBe(true);
    expect(p.isHead('WARNING:root:disk almost full')).toBe(true);
    expect(p.isHead(latin1('🔍 checking orphans'))).toBe(true);
    expect(p.isHead('Traceback (most recent call last):')).toBe(false);
    expect(p.isHead('06:00:12 x')).toBe(false);
  });

  it('reads the level and message of the head line and keeps the other lines as detail', () => {
    const p = textParser(true);
    expect(
      p.parse('2025-08-06 10:00:00,123 - sync - WARNING - : team 3 missing\nline two\nline three'),
    ).toMatchObject({
      time: Date.UTC(2025, 7, 6, 10, 0, 0, 123),
      severity: 'WARNING',
      message: 'team 3 missing',
      detail: 'line two\nline three',
    });
    expect(p.parse('[06:00:12] | ERROR | boom')).toMatchObject({
      severity: 'ERROR',
      message: 'boom',
      detail: '',
    });
    expect(p.parse('no level here')).toMatchObject({ severity: null, message: 'no level here', time: null });
    expect(p.parse('level=warn msg="x"')?.severity).toBe('WARN');
  });

  it('reads an info mark after a stamp as INFO, and not without a stamp', () => {
    const p = textParser(true);
    expect(p.parse('[06:00:12] ℹ️ starting the sync')).toMatchObject({
      severity: 'INFO',
      message: 'starting the sync',
    });
    expect(p.parse('ℹ️ starting the sync')).toMatchObject({
      severity: null,
      message: 'ℹ️ starting the sync',
    });
  });

  it('takes a SQLSTATE named in the text, in any of the spellings, only with a digit', () => {
    const p = textParser(false);
    expect(p.parse('insert failed, sqlstate=23505')?.sqlState).toBe('23505');
    expect(p.parse('insert failed\n  pgcode: "40P01"')?.sqlState).toBe('40P01');
    expect(p.parse('insert failed, code ABCDE')?.sqlState).toBeNull();
    expect(p.parse('insert failed')?.sqlState).toBeNull();
  });
});
