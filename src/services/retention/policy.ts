import type { Db } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';

/** How long the bpetl schema keeps what it only appends to (bpetl.settings `retention`). */
export interface RetentionPolicy {
  /** Resolved orphan events (open ones are never pruned). */
  orphanEventsDays: number;
  /** Progress events of finished runs, beyond the newest `keepRuns` runs. */
  pipelineEventsDays: number;
  keepRuns: number;
  /** Orphan repairs, the rows they put back, constraint repairs and restore actions. */
  repairsDays: number;
  /** Log findings not seen since, and their per-hour hits. */
  logFindingsDays: number;
  logAlertsDays: number;
}

export const DEFAULT_RETENTION: RetentionPolicy = {
  orphanEventsDays: 30,
  pipelineEventsDays: 30,
  keepRuns: 50,
  repairsDays: 90,
  logFindingsDays: 30,
  logAlertsDays: 30,
};

/** The stored policy, each value a positive whole number, missing ones from the defaults. */
export async function loadRetention(db: Db): Promise<RetentionPolicy> {
  const rows: Array<{ value: Partial<Record<keyof RetentionPolicy, unknown>> }> = await db.query(
    `select value from bpetl.settings where key = 'retention'`,
  );
  return parseRetention(rows[0]?.value ?? {});
}

export function parseRetention(value: Partial<Record<keyof RetentionPolicy, unknown>>): RetentionPolicy {
  const policy = { ...DEFAULT_RETENTION };
  for (const key of Object.keys(DEFAULT_RETENTION) as Array<keyof RetentionPolicy>) {
    const given = value[key];
    if (given === undefined) continue;
    if (typeof given !== 'number' || !Number.isSafeInteger(given) || given < 1) {
      throw new AppError(
        'INVALID_INPUT',
        `retention.${key} must be a whole number of at least 1, got ${JSON.stringify(given)}`,
        { field: key },
      );
    }
    policy[key] = given;
  }
  return policy;
}

/** Changes some values of the policy; the others keep theirs. Returns the policy now in force. */
export async function setRetention(db: Db, change: Partial<RetentionPolicy>): Promise<RetentionPolicy> {
  const policy = parseRetention({ ...(await loadRetention(db)), ...change });
  await db.query(
    `insert into bpetl.settings (key, value) values ('retention', $1::jsonb)
       on conflict (key) do update set value = excluded.value`,
    [JSON.stringify(policy)],
  );
  return policy;
}
