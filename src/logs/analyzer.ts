import { escapePath, glob } from 'tinyglobby';

import { expandPaths } from './paths.ts';
import { scanLogs } from './scanner.ts';
import type { FileSummary, LogFinding, LogPattern, LogProblem } from './types.ts';

export type Trend = 'NEW' | 'RISING' | 'STEADY' | 'FALLING' | 'GONE' | 'NONE';

export interface CategoryHistory {
  category: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  /** Occurrences in the last `trendDays` before the newest entry seen, and in the period before it. */
  recent: number;
  previous: number;
  trend: Trend;
}

export interface LogAnalysis {
  totals: Record<string, number>;
  /** Occurrences per UTC day and category (entries without a timestamp are left out). */
  perDay: { day: string; category: string; count: number }[];
  perFile: { file: string; category: string; count: number }[];
  categories: CategoryHistory[];
  /** The most frequent findings. */
  top: LogFinding[];
  files: FileSummary[];
  problems: LogProblem[];
}

export interface AnalyzeOptions {
  paths: string[];
  patterns?: LogPattern[];
  /** Also read rotated siblings of each file (`x.log.1`, `x.log.2.gz`, `x.log-20250806.gz`). Default true. */
  includeRotated?: boolean;
  /** Findings in `top`. Default 10. */
  top?: number;
  /** Length of the two periods the trend compares. Default 7 days. */
  trendDays?: number;
}

const DAY = 86_400_000;
/** A change smaller than half again (or a count under 3) is noise, not a trend. */
const TREND_FACTOR = 1.5;

function trend(recent: number, previous: number): Trend {
  if (recent === 0 && previous === 0) return 'NONE';
  if (previous === 0) return 'NEW';
  if (recent === 0) return 'GONE';
  if (recent >= 3 && recent > previous * TREND_FACTOR) return 'RISING';
  if (previous >= 3 && recent * TREND_FACTOR < previous) return 'FALLING';
  return 'STEADY';
}

async function withRotated(paths: string[]): Promise<string[]> {
  const { files } = await expandPaths(paths);
  const siblings = await Promise.all(
    files.map((f) => glob([`${escapePath(f)}.*`, `${escapePath(f)}-*`], { absolute: true, onlyFiles: true })),
  );
  return [...paths, ...siblings.flat()];
}

/** History across all matching files, rotated and gzipped ones included: per day, per file, top findings, trends. */
export async function analyzeLogs(options: AnalyzeOptions): Promise<LogAnalysis> {
  const paths = options.includeRotated === false ? options.paths : await withRotated(options.paths);
  const perDay = new Map<string, number>();
  const perFile = new Map<string, number>();
  const times: { category: string; time: number }[] = [];
  const scan = await scanLogs({
    paths,
    patterns: options.patterns,
    onEntry: (e) => {
      perFile.set(`${e.file}\n${e.category}`, (perFile.get(`${e.file}\n${e.category}`) ?? 0) + 1);
      if (e.time === null) return;
      const day = new Date(e.time).toISOString().slice(0, 10);
      perDay.set(`${day}\n${e.category}`, (perDay.get(`${day}\n${e.category}`) ?? 0) + 1);
      times.push({ category: e.category, time: e.time });
    },
  });
  const end = times.reduce((max, t) => Math.max(max, t.time), -Infinity);
  const period = (options.trendDays ?? 7) * DAY;
  const categories = Object.entries(scan.totals).map(([category, count]): CategoryHistory => {
    const mine = times.filter((t) => t.category === category).map((t) => t.time);
    const recent = mine.filter((t) => t > end - period).length;
    const previous = mine.filter((t) => t <= end - period && t > end - 2 * period).length;
    const findings = scan.findings.filter((f) => f.category === category);
    const seen = (pick: (f: LogFinding) => string | null) =>
      findings
        .map(pick)
        .filter((t): t is string => t !== null)
        .sort();
    return {
      category,
      count,
      firstSeen: seen((f) => f.firstSeen)[0] ?? null,
      lastSeen: seen((f) => f.lastSeen).at(-1) ?? null,
      recent,
      previous,
      trend: trend(recent, previous),
    };
  });
  const split = (map: Map<string, number>) =>
    [...map].map(([key, count]) => {
      const [a = '', category = ''] = key.split('\n');
      return { a, category, count };
    });
  return {
    totals: scan.totals,
    perDay: split(perDay)
      .map(({ a, category, count }) => ({ day: a, category, count }))
      .sort((a, b) => a.day.localeCompare(b.day) || a.category.localeCompare(b.category)),
    perFile: split(perFile)
      .map(({ a, category, count }) => ({ file: a, category, count }))
      .sort((a, b) => a.file.localeCompare(b.file) || a.category.localeCompare(b.category)),
    categories,
    top: scan.findings.slice(0, options.top ?? 10),
    files: scan.files,
    problems: scan.problems,
  };
}
