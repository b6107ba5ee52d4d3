import type { LogFormat } from '../types.ts';
import type { FormatParser } from './parser.ts';
import { pinoParser } from './pino.ts';
import { looksLikeCsvlog, pgCsvParser } from './postgres-csv.ts';
import { pgJsonParser } from './postgres-json.ts';
import { hasPgMarker, pgStderrParser } from './postgres-stderr.ts';
import { startsWithTimestamp, textParser } from './text.ts';

const SAMPLE_LINES = 200;

function jsonKind(line: string): LogFormat | null {
  try {
    const obj = JSON.parse(line) as Record<string, unknown>;
    if (typeof obj !== 'object' || obj === null) return null;
    if ('error_severity' in obj) return 'pg-json';
    if ('level' in obj) return 'pino';
  } catch {
    return null;
  }
  return null;
}

/** Picks the parser for a file from its first lines: the kind most sampled lines look like. */
export function detectFormat(sample: string): FormatParser {
  // The last line may be cut mid-way; as a vote it can only fail to count.
  const lines = sample.split('\n', SAMPLE_LINES);
  const votes: Record<string, number> = {};
  let timestamped = 0;
  let nonEmpty = 0;
  let firstTimestamped: boolean | null = null;
  for (const line of lines) {
    if (line.trim() === '') continue;
    nonEmpty++;
    const stamped = startsWithTimestamp(line);
    firstTimestamped ??= stamped;
    if (stamped) timestamped++;
    const kind = line.startsWith('{')
      ? jsonKind(line)
      : looksLikeCsvlog(line)
        ? 'pg-csv'
        : hasPgMarker(line)
          ? 'pg-stderr'
          : null;
    if (kind) votes[kind] = (votes[kind] ?? 0) + 1;
  }
  const best = Object.entries(votes).sort((a, b) => b[1] - a[1])[0]?.[0];
  switch (best) {
    case 'pino':
      return pinoParser;
    case 'pg-json':
      return pgJsonParser;
    case 'pg-csv':
      return pgCsvParser;
    case 'pg-stderr':
      return pgStderrParser;
    default:
      // Tracebacks can outnumber the stamped lines they belong to; a stamped first line settles it.
      return textParser(firstTimestamped === true || timestamped * 3 >= nonEmpty);
  }
}
