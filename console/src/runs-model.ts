/** The run fields every runs page reads, and the counts summed from a run's stats. */
export const RUN_FIELDS = `id status dryRun createdAt startedAt finishedAt input stats error { code message details }`;

export interface Run {
  id: string;
  status: string;
  dryRun: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  input: Record<string, unknown>;
  stats: RunStats | null;
  error: { code: string; message: string; details: unknown } | null;
}

export interface TableCounts {
  table: string;
  inserted: number;
  updated: number;
  unchanged: number;
  retired: number;
}

export interface Rejection {
  file: string;
  index: number;
  field: string;
  reason: string;
  value: string;
}

export interface RunStats {
  import?: {
    /** Counts per table, keyed by table. */
    tables?: Record<string, Omit<TableCounts, 'table'>>;
    rejected?: number;
    rejections?: Rejection[];
    warnings?: Array<Record<string, unknown>>;
    scope?: string[];
  };
  warnings?: Array<Record<string, unknown>>;
  restore?: { remapped?: number };
  orphans?: Record<string, unknown>;
  [step: string]: unknown;
}

export const FINAL = ['SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED'];

export interface Counts {
  inserted: number;
  updated: number;
  unchanged: number;
  retired: number;
  rejected: number;
}

/** The import's counts as rows, one per table. */
export function tableCounts(run: Run): TableCounts[] {
  return Object.entries(run.stats?.import?.tables ?? {}).map(([table, counts]) => ({ table, ...counts }));
}

/** Totals over every table the import touched; null before the import step reported. */
export function runCounts(run: Run): Counts | null {
  const imported = run.stats?.import;
  if (!imported?.tables) return null;
  const tables = tableCounts(run);
  const sum = (field: keyof Omit<TableCounts, 'table'>) =>
    tables.reduce((total, t) => total + (t[field] ?? 0), 0);
  return {
    inserted: sum('inserted'),
    updated: sum('updated'),
    unchanged: sum('unchanged'),
    retired: sum('retired'),
    rejected: imported.rejected ?? 0,
  };
}

/** A run's warnings, wherever its stats carry them (the import step or the run as a whole). */
export function runWarnings(run: Run): Array<Record<string, unknown>> {
  return [...(run.stats?.warnings ?? []), ...(run.stats?.import?.warnings ?? [])];
}

export function describeSource(input: Record<string, unknown>): string {
  if (typeof input.source === 'string') return input.source;
  if (typeof input.upload === 'string') return `upload ${input.upload}`;
  return JSON.stringify(input);
}
