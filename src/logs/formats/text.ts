import { parseTimestamp } from '../timestamp.ts';
import type { LogEntry } from '../types.ts';
import { type FormatParser, joinText } from './parser.ts';

const TIMESTAMP_START = /^\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d/;
const LEVEL =
  /\[(DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL|EXCEPTION)\]|\b(DEBUG|INFO|WARN|WARNING|ERROR|CRITICAL|FATAL)\b:?|level=(\w+)/i;
const MATTERS = new Set(['WARN', 'WARNING', 'ERROR', 'CRITICAL', 'FATAL', 'EXCEPTION']);
const CODE = /\b(?:SQLSTATE|sqlstate|pgcode|code)\b["']?\s*[:=]?\s*["']?([0-9A-Z]{5})\b/;

/** An unstructured line: its own message, severity if it names one. */
export function plainLineEntry(raw: string): LogEntry | null {
  return textEntry(raw);
}

function textEntry(raw: string): LogEntry | null {
  const newline = raw.indexOf('\n');
  const head = newline < 0 ? raw : raw.slice(0, newline);
  const rest = newline < 0 ? '' : raw.slice(newline + 1);
  const level = LEVEL.exec(head);
  const severity = level ? (level[1] ?? level[2] ?? level[3]!).toUpperCase() : null;
  if (severity !== null && !MATTERS.has(severity)) return null;
  const message = (level ? head.slice(level.index + level[0].length) : head)
    .replace(/^[\s:\-–|]+/, '')
    .trim();
  const code = CODE.exec(raw);
  return {
    time: parseTimestamp(head),
    severity,
    sqlState: code && /\d/.test(code[1]!) ? code[1]! : null,
    message,
    detail: joinText(rest),
    raw,
  };
}

/**
 * Plain text logs (Python's `2025-08-06 10:00:00,123 [ERROR] message` and the like). When the file's
 * lines start with timestamps, lines without one (tracebacks) continue the entry before them;
 * otherwise indented lines do.
 */
export function textParser(timestamped: boolean): FormatParser {
  return {
    format: 'text',
    multiline: true,
    isHead: timestamped ? (line) => TIMESTAMP_START.test(line) : (line) => line !== '' && !/^\s/.test(line),
    parse: textEntry,
  };
}

export function startsWithTimestamp(line: string): boolean {
  return TIMESTAMP_START.test(line);
}
