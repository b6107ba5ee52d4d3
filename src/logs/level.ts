/** Severity names as logs write them, ranked; the PostgreSQL LOG level counts like a warning. */
const RANK: Record<string, number> = {
  TRACE: 5,
  DEBUG: 10,
  DEBUG1: 10,
  DEBUG2: 10,
  DEBUG3: 10,
  DEBUG4: 10,
  DEBUG5: 10,
  INFO: 20,
  NOTICE: 25,
  LOG: 30,
  WARN: 30,
  WARNING: 30,
  ERROR: 40,
  EXCEPTION: 40,
  CRITICAL: 50,
  FATAL: 50,
  PANIC: 50,
};

export const INFO_RANK = RANK.INFO!;
export const WARNING_RANK = RANK.WARNING!;

/** The rank of a severity, or null when the entry has none (print output) or one no log uses. */
export function levelRank(severity: string | null): number | null {
  return severity === null ? null : (RANK[severity.toUpperCase()] ?? null);
}

/** Whether an entry at `severity` counts for a rule whose lowest level is `min` (rank). */
export function levelCounts(severity: string | null, min: number): boolean {
  const rank = levelRank(severity);
  return rank === null || rank >= min;
}
