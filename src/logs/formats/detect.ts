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
  const lines = sample.split('\n', SAMPLE_LINES + 1).slice(0, SAMPLE_LINES);
  // The last line of a sample may be cut mid-way.
  if (lines.length > 1) lines.pop();
  const votes: Record<string, number> = {};
  let timestamped = 0;
  let nonEmpty = 0;
  for (const line of lines) {
    if (line.trim() === '') continue;
    nonEmpty++;
    if (startsWithTimestamp(line)) timestamped++;
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
      return textParser(nonEmpty > 0 && timestamped * 2 >= nonEmpty);
  }
}
