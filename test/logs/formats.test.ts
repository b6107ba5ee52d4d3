import { describe, expect, it } from 'vitest';

import { detectFormat } from '../../src/logs/formats/detect.ts';
import { pinoParser } from '../../src/logs/formats/pino.ts';
import { pgCsvParser } from '../../src/logs/formats/postgres-csv.ts';
import { pgJsonParser } from '../../src/logs/formats/postgres-json.ts';
import { pgStderrParser } from '../../src/logs/formats/postgres-stderr.ts';
import { textParser } from '../../src/logs/formats/text.ts';
import { parseTimestamp } from '../../src/logs/timestamp.ts';

const PINO_ERROR =
  '{"level":50,"time":1754474400123,"pid":7,"msg":"upsert of teams failed","err":{"type":"DatabaseError","message":"duplicate key value violates unique constraint \\"teams_pkey\\"","code":"23505","detail":"Key (id)=(4) already exists."}}';
const STDERR_DEFAULT = [
  '2025-08-06 10:00:00.123 UTC [4242] ERROR:  duplicate key value violates unique constraint "teams_pkey"',
  '2025-08-06 10:00:00.123 UTC [4242] DETAIL:  Key (id)=(4) already exists.',
  '2025-08-06 10:00:00.123 UTC [4242] STATEMENT:  insert into teams (id)',
  '\tvalues (4) on conflict do nothing',
].join('\n');
const CSV =
  '2025-08-06 10:00:00.123 UTC,"postgres","bpetl",4242,"127.0.0.1:5000",66b1.1092,3,"INSERT",2025-08-06 09:59:00 UTC,3/7,0,ERROR,23503,"insert or update on table ""polls"" violates foreign key constraint ""polls_team_id_fkey""","Key (team_id)=(9) is not present in table ""teams"".",,,,,"insert into polls values (1,\n9)",,,"psql","client backend",,0';
const JSONLOG =
  '{"timestamp":"2025-08-06 10:00:00.123 UTC","user":"postgres","dbname":"bpetl","pid":4242,"error_severity":"ERROR","state_code":"25P02","message":"current transaction is aborted, commands ignored until end of transaction block","statement":"select 1","backend_type":"client backend"}';
const PYTHON = [
  '2025-08-06 10:00:00,123 [ERROR] etl.sync: could not update team 12',
  'Traceback (most recent call last):',
  '  File "sync.py", line 88, in upsert_team',
  'psycopg2.errors.DeadlockDetected: deadlock detected',
].join('\n');

describe('timestamps', () => {
  it('reads PostgreSQL, Python and ISO stamps with their zones', () => {
    expect(parseTimestamp('2025-08-06 10:00:00.123 UTC [1]')).toBe(Date.UTC(2025, 7, 6, 10, 0, 0, 123));
    expect(parseTimestamp('2025-08-06 10:00:00,5 x')).toBe(Date.UTC(2025, 7, 6, 10, 0, 0, 500));
    expect(parseTimestamp('2025-08-06T12:00:00+02:00')).toBe(Date.UTC(2025, 7, 6, 10));
    expect(parseTimestamp('2025-08-06 05:00:00 -0500')).toBe(Date.UTC(2025, 7, 6, 10));
    expect(parseTimestamp('no time here')).toBeNull();
  });
});

describe('pino', () => {
  it('takes msg, err.message, err.code as SQLSTATE and the epoch time', () => {
    const e = pinoParser.parse(PINO_ERROR)!;
    expect(e).toMatchObject({ severity: 'ERROR', sqlState: '23505', time: 1754474400123 });
    expect(e.message).toBe(
      'upsert of teams failed: duplicate key value violates unique constraint "teams_pkey"',
    );
    expect(e.detail).toContain('Key (id)=(4)');
  });
  it('reads info and debug lines with their level, for the classifier to weigh', () => {
    expect(pinoParser.parse('{"level":30,"time":1,"msg":"upsert failed? no, fine"}')).toMatchObject({
      severity: 'INFO',
      message: 'upsert failed? no, fine',
    });
    expect(pinoParser.parse('{"level":"debug","msg":"x"}')?.severity).toBe('DEBUG');
  });
  it('reads a line that is not JSON as plain text', () => {
    expect(pinoParser.parse('ERROR upsert failed')?.message).toBe('upsert failed');
  });
});

describe('PostgreSQL stderr', () => {
  it('gathers DETAIL, HINT and CONTEXT but keeps STATEMENT out of the classified text', () => {
    const e = pgStderrParser.parse(STDERR_DEFAULT)!;
    expect(e).toMatchObject({ severity: 'ERROR', sqlState: null, time: Date.UTC(2025, 7, 6, 10, 0, 0, 123) });
    expect(e.message).toBe('duplicate key value violates unique constraint "teams_pkey"');
    expect(e.detail).toBe('Key (id)=(4) already exists.');
    expect(e.detail).not.toContain('on conflict');
  });
  it('finds the SQLSTATE of a %e prefix and not the pid', () => {
    const e = pgStderrParser.parse(
      '2025-08-06 10:00:00 UTC [23505] 40P01 bpetl@leagues ERROR:  deadlock detected',
    )!;
    expect(e.sqlState).toBe('40P01');
    expect(pgStderrParser.parse('2025-08-06 10:00:00 UTC [23505] ERROR:  x')!.sqlState).toBeNull();
  });
  it('tells heads from continuation lines', () => {
    expect(pgStderrParser.isHead('x [1] ERROR:  boom')).toBe(true);
    expect(pgStderrParser.isHead('x [1] DETAIL:  more')).toBe(false);
    expect(pgStderrParser.isHead('\tcontinued statement')).toBe(false);
  });
  it('skips LOG lines that only echo a statement', () => {
    expect(
      pgStderrParser.parse('t [1] LOG:  statement: insert into t values (1) on conflict do nothing'),
    ).toBeNull();
    expect(
      pgStderrParser.parse('t [1] LOG:  could not receive data from client: Connection reset by peer'),
    ).not.toBeNull();
  });
});

describe('PostgreSQL csvlog', () => {
  it('reads severity, sql_state_code (column 13), message and detail, with quoted newlines', () => {
    const e = pgCsvParser.parse(CSV)!;
    expect(e).toMatchObject({
      severity: 'ERROR',
      sqlState: '23503',
      time: Date.UTC(2025, 7, 6, 10, 0, 0, 123),
    });
    expect(e.message).toContain('violates foreign key constraint "polls_team_id_fkey"');
    expect(e.detail).toContain('is not present in table "teams"');
    expect(pgCsvParser.isHead('9)",,,"psql"')).toBe(false);
  });
});

describe('PostgreSQL jsonlog', () => {
  it('reads state_code and message', () => {
    expect(pgJsonParser.parse(JSONLOG)).toMatchObject({ severity: 'ERROR', sqlState: '25P02' });
  });
});

describe('Python-style text', () => {
  it('keeps the traceback with its entry', () => {
    const p = textParser(true);
    expect(p.isHead(PYTHON.split('\n')[1]!)).toBe(false);
    const e = p.parse(PYTHON)!;
    expect(e).toMatchObject({ severity: 'ERROR', message: 'etl.sync: could not update team 12' });
    expect(e.detail).toContain('DeadlockDetected: deadlock detected');
  });
  it('reads the level of INFO lines too, and takes it off the message', () => {
    expect(textParser(true).parse('2025-08-06 10:00:00,1 [INFO] orphan scan found nothing')).toMatchObject({
      severity: 'INFO',
      message: 'orphan scan found nothing',
    });
  });
});

describe('format detection', () => {
  it.each([
    [PINO_ERROR, 'pino'],
    [STDERR_DEFAULT, 'pg-stderr'],
    [CSV, 'pg-csv'],
    [JSONLOG, 'pg-json'],
    [PYTHON, 'text'],
  ])('detects %#', (sample, format) => {
    expect(detectFormat(`${sample}\n${sample}\n`).format).toBe(format);
  });
});
