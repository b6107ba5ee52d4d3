import { parseTimestamp } from '../timestamp.ts';
import { asSqlState, type FormatParser, joinText, pgEntryMatters } from './parser.ts';

/** PostgreSQL writes `<prefix><LABEL>:  <text>` (two spaces) whatever log_line_prefix is. */
const MARKER =
  /\b(ERROR|FATAL|PANIC|WARNING|LOG|NOTICE|INFO|DEBUG[1-5]?|DETAIL|HINT|CONTEXT|STATEMENT|QUERY|LOCATION): {2}/;
const CONTINUATION = new Set(['DETAIL', 'HINT', 'CONTEXT', 'STATEMENT', 'QUERY', 'LOCATION']);
/** A %e SQLSTATE in the prefix: a 5-character code token, not the [%p] pid in brackets. */
const PREFIX_CODE = /(?:^|[\s=:@,|(])([0-9A-Z]{5})(?=[\s:,|)]|$)/g;

function sqlStateFromPrefix(prefix: string): string | null {
  let found: string | null = null;
  for (const m of prefix.matchAll(PREFIX_CODE)) found = asSqlState(m[1]) ?? found;
  return found;
}

/** The stderr format with any log_line_prefix (the default `%m [%p] ` included). */
export const pgStderrParser: FormatParser = {
  format: 'pg-stderr',
  multiline: true,
  isHead(line) {
    if (line.startsWith('\t')) return false;
    const m = MARKER.exec(line);
    return !m || !CONTINUATION.has(m[1]!);
  },
  parse(raw) {
    const lines = raw.split('\n');
    const head = MARKER.exec(lines[0]!);
    if (!head) return null;
    const prefix = lines[0]!.slice(0, head.index);
    const severity = head[1]!;
    const parts: Record<string, string[]> = { MESSAGE: [lines[0]!.slice(head.index + head[0].length)] };
    let current = parts.MESSAGE!;
    for (const line of lines.slice(1)) {
      const m = line.startsWith('\t') ? null : MARKER.exec(line);
      if (m && CONTINUATION.has(m[1]!)) {
        current = parts[m[1]!] ??= [];
        current.push(line.slice(m.index + m[0].length));
      } else {
        current.push(line.replace(/^\t/, ''));
      }
    }
    const message = parts.MESSAGE!.join('\n').trim();
    if (!pgEntryMatters(severity, message)) return null;
    return {
      time: parseTimestamp(prefix),
      severity,
      sqlState: sqlStateFromPrefix(prefix),
      message,
      detail: joinText(parts.DETAIL?.join('\n'), parts.HINT?.join('\n'), parts.CONTEXT?.join('\n')),
      raw,
    };
  },
};

export function hasPgMarker(line: string): boolean {
  return MARKER.test(line);
}
