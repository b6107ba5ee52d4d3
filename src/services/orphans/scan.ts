import { type Db, ident } from '../../db/sql.ts';
import { danglingPredicate, loadProtectionSpec } from '../protection/spec.ts';

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
