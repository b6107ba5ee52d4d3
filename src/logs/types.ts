/** The built-in categories; configured patterns add their own names beside these. */
export const LOG_CATEGORIES = [
  'UPSERT_FAILURE',
  'CONSTRAINT_VIOLATION',
  'CONNECTION_TIMEOUT',
  'ORPHAN_INDICATOR',
  'ABORTED_TRANSACTION',
  'DEADLOCK',
] as const;

export type BuiltinCategory = (typeof LOG_CATEGORIES)[number];

export type LogFormat = 'pino' | 'pg-stderr' | 'pg-csv' | 'pg-json' | 'text';

/** A user-configured category: entries whose message matches `pattern` are counted under `category`. */
export interface LogPattern {
  category: string;
  /** A regular expression source, matched case-insensitively. */
  pattern: string;
}

/** One log entry (a line, or a line with its continuation lines), parsed. */
export interface LogEntry {
  /** Milliseconds since the epoch, or null when the entry carries no readable timestamp. */
  time: number | null;
  /** Upper-case severity as written (ERROR, FATAL, WARN, …), or null. */
  severity: string | null;
  sqlState: string | null;
  /** The entry's own message: what is fingerprinted. */
  message: string;
  /** Further text that may classify the entry (DETAIL, HINT, error messages, traceback), never the statement. */
  detail: string;
  /** The raw entry text, as it appears in the file. */
  raw: string;
}

export interface ClassifiedEntry extends LogEntry {
  category: string;
  fingerprint: string;
  file: string;
}

export interface LogFinding {
  category: string;
  fingerprint: string;
  count: number;
  /** ISO 8601, or null when no occurrence had a timestamp. */
  firstSeen: string | null;
  lastSeen: string | null;
  files: string[];
  sample: string;
}

export interface LogProblem {
  file: string;
  reason: string;
}

export interface FileSummary {
  file: string;
  format: LogFormat;
  gzip: boolean;
  bytes: number;
  totals: Record<string, number>;
}

export interface ScanResult {
  totals: Record<string, number>;
  findings: LogFinding[];
  problems: LogProblem[];
  files: FileSummary[];
}
