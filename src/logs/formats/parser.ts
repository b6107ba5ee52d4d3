import type { LogEntry, LogFormat } from '../types.ts';

/** How one log format splits into entries and what an entry says. */
export interface FormatParser {
  format: LogFormat;
  /** False when every line is its own entry (no continuation lines to gather). */
  multiline: boolean;
  /** Whether the line starts a new entry; `line` has no trailing newline. */
  isHead(line: string): boolean;
  /** The parsed entry, or null when it cannot matter (debug/info level, a logged statement). */
  parse(raw: string): LogEntry | null;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

export function asSqlState(value: unknown): string | null {
  return typeof value === 'string' && SQLSTATE.test(value) && /\d/.test(value) ? value : null;
}

/** PostgreSQL severities that can precede data loss; LOG lines are taken unless they only echo a statement. */
export function pgEntryMatters(severity: string | null, message: string): boolean {
  if (severity === 'ERROR' || severity === 'FATAL' || severity === 'PANIC' || severity === 'WARNING') {
    return true;
  }
  if (severity === 'LOG') return !/^(?:statement|duration|execute|parse|bind)\b/i.test(message);
  return false;
}

export function joinText(...parts: unknown[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p !== '').join('\n');
}
