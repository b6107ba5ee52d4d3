import type { DataSource } from 'typeorm';

import { pgClientOf, withTransaction } from '../../db/sql.ts';
import { loadRetention, type RetentionPolicy } from './policy.ts';

/** Rows deleted per statement: short transactions, short locks, however much has piled up. */
export const PRUNE_BATCH = 5_000;

/** Only one instance prunes at a time: the others find the lock taken and skip the round. */
const RETENTION_LOCK = "hashtext('bpetl.retention')";

interface Rule {
  /** Counted under this name in the result. */
  name: string;
  table: string;
  /** Which rows may go (the table aliased `t`); never an open event or a row not yet put back. */
  where: string;
  params: (policy: RetentionPolicy) => unknown[];
}

const OLDER = (column: string) => `t.${column} < now() - make_interval(days => $1)`;

/**
 * In dependency order: rows that point at others go first, so every deletion is allowed by the
 * foreign keys and nothing that a kept row needs is removed. Names are this module's own.
 */
const RULES: readonly Rule[] = [
  {
    name: 'lostRows',
    table: 'bpetl.lost_rows',
    // Only rows put back: the others are data to restore.
    where: `t.restored_at is not null and ${OLDER('restored_at')}`,
    params: (p) => [p.repairsDays],
  },
  {
    name: 'repairs',
    table: 'bpetl.repairs',
    where: `${OLDER('repaired_at')} and not exists (select 1 from bpetl.lost_rows l where l.repair_id = t.id)`,
    params: (p) => [p.repairsDays],
  },
  {
    name: 'quarantine',
    table: 'bpetl.quarantine',
    where: `t.released_at is not null and ${OLDER('released_at')}`,
    params: (p) => [p.repairsDays],
  },
  {
    name: 'orphanEvents',
    table: 'bpetl.orphan_events',
    where: `t.resolved_at is not null and ${OLDER('resolved_at')}
      and not exists (select 1 from bpetl.repairs r where r.event_id = t.id)
      and not exists (select 1 from bpetl.quarantine q where q.event_id = t.id)
      and not exists (select 1 from bpetl.lost_rows l where l.event_id = t.id)`,
    params: (p) => [p.orphanEventsDays],
  },
  {
    name: 'pipelineEvents',
    table: 'bpetl.pipeline_events',
    where: `${OLDER('at')}
      and t.run_id in (select r.id from bpetl.pipeline_runs r
                        where r.status in ('SUCCEEDED', 'FAILED', 'ROLLED_BACK', 'CANCELLED')
                          and r.id < (select coalesce(min(n.id), 0) from
                                       (select id from bpetl.pipeline_runs order by id desc limit $2) n))`,
    params: (p) => [p.pipelineEventsDays, p.keepRuns],
  },
  {
    name: 'restoreActions',
    table: 'bpetl.restore_actions',
    where: OLDER('created_at'),
    params: (p) => [p.repairsDays],
  },
  {
    name: 'logFindingHits',
    table: 'bpetl.log_finding_hits',
    where: OLDER('bucket'),
    params: (p) => [p.logFindingsDays],
  },
  {
    name: 'logFindings',
    table: 'bpetl.log_findings',
    where: OLDER('updated_at'),
    params: (p) => [p.logFindingsDays],
  },
  {
    name: 'logAlerts',
    table: 'bpetl.log_alerts',
    where: OLDER('raised_at'),
    params: (p) => [p.logAlertsDays],
  },
];

export interface PruneResult {
  /** Another instance held the retention lock: this round deleted nothing. */
  skipped: boolean;
  /** Rows deleted per rule (lostRows, repairs, quarantine, orphanEvents, pipelineEvents, …). */
  deleted: Record<string, number>;
}

/**
 * One round of retention: every rule deletes its old rows in batches of PRUNE_BATCH, each batch
 * its own transaction under the retention lock. Returns the rows deleted per rule, and whether
 * another instance held the lock (then this round stops where it was).
 */
export async function pruneHistory(db: DataSource, options: { batch?: number } = {}): Promise<PruneResult> {
  const batch = options.batch ?? PRUNE_BATCH;
  const policy = await loadRetention(db.manager);
  const result: PruneResult = { skipped: false, deleted: {} };
  for (const rule of RULES) {
    result.deleted[rule.name] = 0;
    for (;;) {
      const deleted = await withTransaction(db, undefined, async (tx) => {
        const client = await pgClientOf(tx);
        const { rows } = await client.query<{ locked: boolean }>(
          `select pg_try_advisory_xact_lock(${RETENTION_LOCK}) as locked`,
        );
        if (!rows[0]!.locked) return null;
        const done = await client.query(
          `delete from ${rule.table} t
            where t.ctid = any(array(select t.ctid from ${rule.table} t where ${rule.where} limit ${batch}))`,
          rule.params(policy),
        );
        return done.rowCount ?? 0;
      });
      if (deleted === null) return { skipped: true, deleted: result.deleted };
      result.deleted[rule.name]! += deleted;
      if (deleted < batch) break;
    }
  }
  return result;
}
