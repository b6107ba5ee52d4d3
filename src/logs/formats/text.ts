import { parseTimestamp } from '../timestamp.ts';
import type { LogEntry } from '../types.ts';
import { type FormatParser, joinText } from './parser.ts';

const TIMESTAMP_START = /^\[?\d{4}-\d\d-\d\d[ T]\d\d:\d\d/;
/** `[06:00:12] …`: the clock-only stamp some ETL helpers print. */
const CLOCK_START = /^\[\d\d:\d\d:\d\d\]/;
/** A leading stamp with its brackets, fraction and zone, as `2025-07-08 06:00:12,345` or `[06:00:12]`. */
const STAMP_PREFIX =
  /^\[?(?:\d{4}-\d\d-\d\d[ T])?\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z| ?UTC| ?[+-]\d\d:?\d\d)?\]?[\s,]*/;

const LEVELS = 'TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|CRITICAL|FATAL|EXCEPTION';
/** `WARNING:root:…`, logging's default format, which has no stamp but starts an entry. */
const DEFAULT_FORMAT_START = new RegExp(String.raw`^(?:${LEVELS}):[\w.<>-]*:`);
/**
 * Where the formats in use put the level, upper case as Python's logging and most loggers write it:
 * `[ERROR]`, ` - WARNING - ` (`%(asctime)s - %(name)s - %(levelname)s`), `WARNING:root:` (logging's
 * default), `| ERROR |`, `<stamp> ERROR `, or `level=error`. A level word inside the message text is
 * not one of these, so "could not read team info" stays a line without a level.
 */
const LEVEL = new RegExp(
  [
    String.raw`\[(${LEVELS})\]`,
    String.raw`(?:^|\s)-\s(${LEVELS})\s-(?:\s|$)`,
    String.raw`^(${LEVELS}):[\w.<>-]*:`,
    String.raw`\|\s*(${LEVELS})\s*\|`,
    String.raw`^(${LEVELS})\b:?`,
    String.raw`\blevel=["']?(\w+)`,
  ].join('|'),
);
/** Printed helpers put the level as an emoji right after the stamp; only INFO's needs reading. */
const INFO_MARK = /^ℹ️?\s*/u;
const CODE = /\b(?:SQLSTATE|sqlstate|pgcode|code)\b["']?\s*[:=]?\s*["']?([0-9A-Z]{5})\b/;
/**
 * A line that starts (after indentation) with a pictograph is the ETL's own print output, never part
 * of a traceback: it starts an entry. Checked on the latin1 view, where U+2100–U+2BFF are
 * `\xE2\x84`–`\xE2\xAF` and the U+1Fxxx pictographs `\xF0\x9F`.
 */
const PICTOGRAPH_START = /^\s*(?:\u00e2[\u0084-\u00af]|\u00f0\u009f)/;

/** The severity of a head line and the text after it (the prefix and level removed). */
export function readLevel(head: string): { severity: string | null; message: string } {
  const stamped = STAMP_PREFIX.exec(head);
  const afterStamp = stamped ? head.slice(stamped[0].length) : head;
  // The patterns anchored at ^ describe the start of the line or of what follows the stamp.
  const m = LEVEL.exec(afterStamp);
  if (m) {
    const severity = m
      .slice(1)
      .find((g) => g !== undefined)!
      .toUpperCase();
    return {
      severity,
      message: afterStamp
        .slice(m.index + m[0].length)
        .replace(/^[\s:\-–|]+/, '')
        .trim(),
    };
  }
  const info = INFO_MARK.exec(afterStamp);
  if (info && stamped) return { severity: 'INFO', message: afterStamp.slice(info[0].length).trim() };
  return { severity: null, message: afterStamp.trim() };
}

/** An unstructured entry: its head line's level and message, the rest as detail. */
export function plainLineEntry(raw: string): LogEntry {
  const newline = raw.indexOf('\n');
  const head = newline < 0 ? raw : raw.slice(0, newline);
  const rest = newline < 0 ? '' : raw.slice(newline + 1);
  const { severity, message } = readLevel(head);
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
 * lines start with timestamps, lines without one (tracebacks) continue the entry before them, except
 * the ETL's printed status lines, which start with a pictograph; otherwise indented lines continue.
 */
export function textParser(timestamped: boolean): FormatParser {
  return {
    format: 'text',
    multiline: true,
    isHead: timestamped
      ? (line) =>
          TIMESTAMP_START.test(line) ||
          CLOCK_START.test(line) ||
          DEFAULT_FORMAT_START.test(line) ||
          PICTOGRAPH_START.test(line)
      : (line) => line !== '' && (!/^\s/.test(line) || PICTOGRAPH_START.test(line)),
    parse: plainLineEntry,
  };
}

export function startsWithTimestamp(line: string): boolean {
  return TIMESTAMP_START.test(line) || CLOCK_START.test(line);
}
