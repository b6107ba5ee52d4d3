import type { ClassifiedEntry, LogFinding } from './types.ts';

const MAX_SAMPLE = 2000;

interface Acc {
  category: string;
  fingerprint: string;
  count: number;
  first: number | null;
  last: number | null;
  files: Set<string>;
  sample: string;
}

function iso(t: number | null): string | null {
  return t === null ? null : new Date(t).toISOString();
}

/** Folds classified entries into findings (one per fingerprint) and per-category totals. */
export class FindingAggregator {
  readonly totals: Record<string, number>;
  private readonly byFingerprint = new Map<string, Acc>();

  constructor(categories: readonly string[]) {
    this.totals = Object.fromEntries(categories.map((c) => [c, 0]));
  }

  add(entry: ClassifiedEntry): LogFinding {
    this.totals[entry.category] = (this.totals[entry.category] ?? 0) + 1;
    let acc = this.byFingerprint.get(entry.fingerprint);
    if (!acc) {
      acc = {
        category: entry.category,
        fingerprint: entry.fingerprint,
        count: 0,
        first: entry.time,
        last: entry.time,
        files: new Set(),
        sample: entry.raw.slice(0, MAX_SAMPLE),
      };
      this.byFingerprint.set(entry.fingerprint, acc);
    }
    acc.count++;
    acc.files.add(entry.file);
    if (entry.time !== null) {
      // The earliest occurrence is the sample, so the result does not depend on file order.
      if (acc.first === null || entry.time < acc.first) {
        acc.first = entry.time;
        acc.sample = entry.raw.slice(0, MAX_SAMPLE);
      }
      if (acc.last === null || entry.time > acc.last) acc.last = entry.time;
    }
    return toFinding(acc);
  }

  /** Most frequent first, then by fingerprint so the order is stable. */
  findings(): LogFinding[] {
    return [...this.byFingerprint.values()]
      .sort((a, b) => b.count - a.count || a.fingerprint.localeCompare(b.fingerprint))
      .map(toFinding);
  }
}

function toFinding(acc: Acc): LogFinding {
  return {
    category: acc.category,
    fingerprint: acc.fingerprint,
    count: acc.count,
    firstSeen: iso(acc.first),
    lastSeen: iso(acc.last),
    files: [...acc.files].sort(),
    sample: acc.sample,
  };
}
