import { parse } from 'csv-parse/sync';

import { parseTimestamp } from '../timestamp.ts';
import { asSqlState, type FormatParser, joinText, pgEntryMatters } from './parser.ts';

/**
 * csvlog columns (PostgreSQL 14+; earlier versions stop after application_name or backend_type,
 * the positions used here are the same): log_time 0, …, error_severity 11, sql_state_code 12,
 * message 13, detail 14, hint 15, internal_query 16, internal_query_pos 17, context 18, query 19.
 */
const COL = { time: 0, severity: 11, sqlState: 12, message: 13, detail: 14, hint: 15, context: 18 } as const;
const ROW_START = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;

/** csvlog: one CSV record per entry; quoted fields may span lines, so a record starts at a timestamp. */
export const pgCsvParser: FormatParser = {
  format: 'pg-csv',
  multiline: true,
  isHead: (line) => ROW_START.test(line),
  parse(raw) {
    let row: string[] | undefined;
    try {
      row = (parse(raw, { relax_column_count: true, relax_quotes: true }) as string[][])[0];
    } catch {
      return null;
    }
    if (!row || row.length <= COL.message) return null;
    const severity = row[COL.severity] ?? null;
    const message = row[COL.message] ?? '';
    if (!pgEntryMatters(severity, message)) return null;
    return {
      time: parseTimestamp(row[COL.time] ?? ''),
      severity,
      sqlState: asSqlState(row[COL.sqlState]),
      message,
      detail: joinText(row[COL.detail], row[COL.hint], row[COL.context]),
      raw,
    };
  },
};

export function looksLikeCsvlog(line: string): boolean {
  return ROW_START.test(line) && /^[^,]*,("[^"]*"|[^,]*),/.test(line) && line.split(',').length >= 14;
}
