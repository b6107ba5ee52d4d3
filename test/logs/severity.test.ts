import { describe, expect, it } from 'vitest';

import { readLevel, textParser } from '../../src/logs/formats/text.ts';
import { levelCounts, levelRank } from '../../src/logs/level.ts';
import { useScanText } from './scan-text.ts';

const scanText = useScanText();
const totals = (lines: string[], ext = 'log') => scanText(`${lines.join('\n')}\n`, ext);

const pino = (level: number | string, msg: string, extra = '') =>
  `{"level":${JSON.stringify(level)},"time":1754474400000,"msg":${JSON.stringify(msg)}${extra}}`;

describe('severity in structured logs', () => {
  it('pino: the same words count at warn and error, not at info or debug', async () => {
    const msg = '❌ Error importing team Tennaqua - 22: tuple index out of range';
    expect(await totals([pino(30, msg), pino(20, msg), pino('info', msg)])).toEqual({});
    expect(await totals([pino(40, msg), pino(50, msg), pino('error', msg)])).toEqual({ UPSERT_FAILURE: 3 });
  });

  it('pino: a SQLSTATE at info does not count either', async () => {
    const err = ',"err":{"message":"duplicate key value violates unique constraint","code":"23505"}';
    expect(await totals([pino(30, 'insert done', err)])).toEqual({});
    expect(await totals([pino(50, 'insert failed', err)])).toEqual({ CONSTRAINT_VIOLATION: 1 });
  });

  it('pino: a family the ETL writes at INFO counts at info, but not at debug', async () => {
    expect(await totals([pino(30, '🏥 Overall Health Score: 61/100')])).toEqual({ ORPHAN_INDICATOR: 1 });
    expect(await totals([pino(20, '🏥 Overall Health Score: 61/100')])).toEqual({});
  });

  it('jsonlog, csvlog and stderr: INFO, NOTICE and DEBUG entries do not count', async () => {
    const json = (sev: string) =>
      `{"timestamp":"2025-08-06 10:00:00.123 UTC","pid":1,"error_severity":"${sev}","message":"deadlock detected"}`;
    expect(await totals([json('INFO'), json('NOTICE'), json('DEBUG1')])).toEqual({});
    expect(await totals([json('ERROR')])).toEqual({ DEADLOCK: 1 });
    const csv = (sev: string) =>
      `2025-08-06 10:00:00.123 UTC,"postgres","bpetl",4242,"127.0.0.1:5000",66b1.1092,3,"INSERT",2025-08-06 09:59:00 UTC,3/7,0,${sev},00000,"orphan poll 5 left behind",,,,,,,,"psql","client backend",,0`;
    expect(await totals([csv('INFO'), csv('NOTICE'), csv('DEBUG2')], 'csv')).toEqual({});
    expect(await totals([csv('WARNING')], 'csv')).toEqual({ ORPHAN_INDICATOR: 1 });
    const stderr = (sev: string) => `2025-08-06 10:00:00.123 UTC [11] ${sev}:  orphan poll 5 left behind`;
    expect(await totals([stderr('INFO'), stderr('NOTICE'), stderr('DEBUG1')])).toEqual({});
    expect(await totals([stderr('WARNING'), stderr('ERROR')])).toEqual({ ORPHAN_INDICATOR: 2 });
  });
});

describe('the level of a Python-style line is read from the line', () => {
  it.each([
    ['2025-07-08 06:10:02,114 - ERROR - ❌ Batch insert failed: x', 'ERROR', '❌ Batch insert failed: x'],
    ['2025-07-08 06:10:02,114 - data.etl - WARNING - Team not found: T', 'WARNING', 'Team not found: T'],
    ['ERROR:database_config:All 5 connection attempts failed.', 'ERROR', 'All 5 connection attempts failed.'],
    ['WARNING:root:Detected 3 orphaned polls', 'WARNING', 'Detected 3 orphaned polls'],
    ['[2025-07-08 06:00:12] [INFO] ❌ Error importing team T: x', 'INFO', '❌ Error importing team T: x'],
    ['2025-08-06 10:00:00,1 [ERROR] etl.sync: x', 'ERROR', 'etl.sync: x'],
    [
      '[2025-07-08 06:00:12] ℹ️ 🔄 Rolling back entire transaction...',
      'INFO',
      '🔄 Rolling back entire transaction...',
    ],
    [
      '[2025-07-08 06:00:12] ⚠️ 🔄 Rolling back entire transaction...',
      null,
      '⚠️ 🔄 Rolling back entire transaction...',
    ],
    ['[06:04:13] ❌ League context restoration failed: x', null, '❌ League context restoration failed: x'],
    ['2025-08-06 10:00:00 | CRITICAL | boom', 'CRITICAL', 'boom'],
    ['ts=2025-08-06 level=warn msg="orphan"', 'WARN', 'msg="orphan"'],
    [
      '❌ Error importing team T: could not read team INFO page',
      null,
      '❌ Error importing team T: could not read team INFO page',
    ],
    ['Error importing team T: x', null, 'Error importing team T: x'],
  ])('%s', (line, severity, message) => {
    expect(readLevel(line)).toEqual({ severity, message });
  });

  it('counts ETL words at WARNING and above, drops them at INFO and DEBUG, and counts lines without a level', async () => {
    const lines = (level: string) => [
      `2025-07-08 06:10:01,233 - ${level} - Team not found: Tennaqua - 22 in APTA_CHICAGO`,
      `${level}:database_config:All 5 connection attempts failed.`,
      `[2025-07-08 06:03:40] [${level}] 🔄 Rolling back all changes...`,
    ];
    expect(await totals([...lines('INFO'), ...lines('DEBUG')])).toEqual({});
    expect(await totals(lines('WARNING'))).toEqual({
      ORPHAN_INDICATOR: 1,
      CONNECTION_TIMEOUT: 1,
      ABORTED_TRANSACTION: 1,
    });
    expect(await totals(['❌ Database has been rolled back to original state'])).toEqual({
      ABORTED_TRANSACTION: 1,
    });
  });

  it('takes a printed status line after a stamped one as an entry of its own, not a continuation', async () => {
    const log = [
      '[2025-07-08 06:03:40] [INFO] 📥 Importing teams...',
      '❌ Error importing team Tennaqua - 22: tuple index out of range',
      '[2025-07-08 06:03:41] [ERROR] ',
      '💥 CRITICAL ERROR: Too many team import errors (26)',
      '[2025-07-08 06:03:42] [ERROR] Traceback: Traceback (most recent call last):',
      '  File "import_all_jsons_to_database.py", line 900, in run',
      'psycopg2.errors.UniqueViolation: duplicate key value violates unique constraint "teams_pkey"',
    ];
    expect(textParser(true).isHead(log[1]!)).toBe(false); // the UTF-8 text: heads are judged on latin1
    expect(textParser(true).isHead(Buffer.from(log[1]!).toString('latin1'))).toBe(true);
    expect(textParser(true).isHead(Buffer.from(log[5]!).toString('latin1'))).toBe(false);
    expect(await totals(log)).toEqual({ UPSERT_FAILURE: 2, CONSTRAINT_VIOLATION: 1 });
  });

  it('ranks levels, and lets an entry without one count for any rule', () => {
    expect(levelRank('warn')).toBe(levelRank('WARNING'));
    expect(levelRank('LOG')).toBe(levelRank('WARNING'));
    expect(levelRank('DEBUG3')).toBeLessThan(levelRank('INFO')!);
    expect(levelRank('FATAL')).toBeGreaterThan(levelRank('ERROR')!);
    expect(levelRank('SUCCESS')).toBeNull();
    expect(levelCounts(null, levelRank('ERROR')!)).toBe(true);
    expect(levelCounts('INFO', levelRank('WARNING')!)).toBe(false);
    expect(levelCounts('WARNING', levelRank('WARNING')!)).toBe(true);
  });
});
