import { type Db, ident } from '../../db/sql.ts';
import { CHANNEL } from '../../events/channels.ts';
import { danglingPredicate, loadProtectionSpec } from '../protection/spec.ts';
import { rowKeyColumn } from '../snapshots/reference-context.ts';

export interface OrphanScan {
  /** Dangling references over every spec entry. */
  total: number;
  byReference: Array<{ reference: string; dataType: string; rows: number; orphans: number }>;
}

/**
 * Counts the user rows and dangling references of every protection-spec entry, one query per entry
 * (used by verify and the health report). Reads only.
 */
export async function scanOrphans(manager: Db): Promise<OrphanScan> {
  const byReference: OrphanScan['byReference'] = [];
  for (const ref of await loadProtectionSpec(manager)) {
    // Two counts, not one with `filter (where not exists …)`: only a WHERE clause lets PostgreSQL
    // plan the orphan count as a hash anti-join instead of one index probe per row.
    const [{ rows, orphans }]: Array<{ rows: number; orphans: number }> = await manager.query(
      `select (select count(*) from ${ident(ref.sourceTable)} s
                where ${ref.rowFilter ? `(${ref.rowFilter})` : 'true'})::int as rows,
              (select count(*) from ${ident(ref.sourceTable)} s where ${danglingPredicate(ref)})::int as orphans`,
    );
    byReference.push({ reference: ref.name, dataType: ref.dataType, rows, orphans });
  }
  return { total: byReference.reduce((n, r) => n + r.orphans, 0), byReference };
}

/**
 * The full scan of an emergency repair: records every dangling reference that has no open event
 * (cause SCAN), inside a savepoint (bpetl_emergency_scan) that a dry run rolls back to.
 */
export async function recordDanglingRows(tx: Db): Promise<number> {
  await tx.query('savepoint bpetl_emergency_scan');
  await tx.query('select bpetl.lock_orphan_events()');
  let detected = 0;
  for (const ref of await loadProtectionSpec(tx)) {
    const key = ident(await rowKeyColumn(tx, ref.sourceTable));
    const [{ n }] = await tx.query(
      `with inserted as (
         insert into bpetl.orphan_events
                (reference, source_table, source_column, row_id, missing_ref, target_table, target_column, cause)
         select $1, $2, $3, s.${key}::bigint, s.${ident(ref.sourceColumn)}::text, $4, $5, 'SCAN'
           from ${ident(ref.sourceTable)} s where ${danglingPredicate(ref)}
          order by s.${key}
         on conflict do nothing returning 1)
       select count(*)::int as n from inserted`,
      [ref.name, ref.sourceTable, ref.sourceColumn, ref.targetTable, ref.targetColumn],
    );
    detected += n;
  }
  if (detected > 0) await tx.query(`select pg_notify($1, 'scan')`, [CHANNEL.orphanEvent]);
  return detected;
}
