import { type Db, ident } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';
import { loadProtectionSpec, type ProtectedReference } from '../protection/spec.ts';
import { columnType, rowKeyColumn } from '../snapshots/reference-context.ts';

export type OrphanResolution = 'ROW_DELETED' | 'REPOINTED' | 'TARGET_RESTORED' | 'REPAIRED';

/** A reference that became dangling, as the triggers recorded it (DESIGN §9 OrphanEvent). */
export interface OrphanEvent {
  /** Sequence number: events become visible in this order, so it is a resume cursor. */
  id: number;
  reference: string;
  table: string;
  column: string;
  rowId: number;
  /** The raw value that no longer resolves, as text. */
  missingRef: string;
  targetTable: string;
  targetColumn: string;
  /** Natural key of the vanished target (league, club, series, teamName, …) when it was known. */
  context: Record<string, unknown> | null;
  cause: string;
  detectedAt: Date;
  resolvedAt: Date | null;
  resolution: OrphanResolution | null;
}

declare module '../../events/topics.ts' {
  interface Topics {
    /** Batches of new events, in id order, as the orphan listener read them. */
    orphanEvents: [batch: OrphanEvent[]];
  }
}

interface EventRow {
  id: string;
  reference: string;
  source_table: string;
  source_column: string;
  row_id: string;
  missing_ref: string;
  target_table: string;
  target_column: string;
  context: Record<string, unknown> | null;
  cause: string;
  detected_at: Date;
  resolved_at: Date | null;
  resolution: OrphanResolution | null;
}

const COLUMNS = `id, reference, source_table, source_column, row_id, missing_ref, target_table, target_column,
                 context, cause, detected_at, resolved_at, resolution`;

function toEvent(r: EventRow): OrphanEvent {
  return {
    id: Number(r.id),
    reference: r.reference,
    table: r.source_table,
    column: r.source_column,
    rowId: Number(r.row_id),
    missingRef: r.missing_ref,
    targetTable: r.target_table,
    targetColumn: r.target_column,
    context: r.context,
    cause: r.cause,
    detectedAt: r.detected_at,
    resolvedAt: r.resolved_at,
    resolution: r.resolution,
  };
}

export const MAX_PAGE_SIZE = 1000;

/** Events with an id above `afterId`, oldest first. */
export async function readEventsAfter(
  db: Db,
  afterId: number,
  limit = MAX_PAGE_SIZE,
): Promise<OrphanEvent[]> {
  const rows: EventRow[] = await db.query(
    `select ${COLUMNS} from bpetl.orphan_events where id > $1 order by id limit $2`,
    [afterId, limit],
  );
  return rows.map(toEvent);
}

/** The newest event id (0 when there is none): where a live-only reader starts. */
export async function latestEventId(db: Db): Promise<number> {
  const [row] = await db.query(`select coalesce(max(id), 0)::text as id from bpetl.orphan_events`);
  return Number(row.id);
}

export interface OrphanQuery {
  /** true: resolved only; false: open only; null/undefined: both. */
  resolved?: boolean | null;
  /** Page size, default 100, at most 1000. */
  first?: number | null;
  /** An event id: the page starts after it. */
  after?: number | null;
}

/** Stored events, oldest first, for the `orphans` query. */
export async function listOrphanEvents(db: Db, query: OrphanQuery = {}): Promise<OrphanEvent[]> {
  const first = query.first ?? 100;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw new AppError('INVALID_INPUT', `first must be between 1 and ${MAX_PAGE_SIZE}, got ${first}`, {
      field: 'first',
    });
  }
  const after = query.after ?? 0;
  if (!Number.isSafeInteger(after) || after < 0) {
    throw new AppError('INVALID_INPUT', `after must be an event id (a non-negative integer)`, {
      field: 'after',
    });
  }
  const resolved = query.resolved ?? null;
  const rows: EventRow[] = await db.query(
    `select ${COLUMNS} from bpetl.orphan_events
      where id > $1 and ($2::boolean is null or (resolved_at is not null) = $2)
      order by id limit $3`,
    [after, resolved, first],
  );
  return rows.map(toEvent);
}

export async function getOrphanEvent(db: Db, id: number): Promise<OrphanEvent | null> {
  const rows: EventRow[] = await db.query(`select ${COLUMNS} from bpetl.orphan_events where id = $1`, [id]);
  return rows[0] ? toEvent(rows[0]) : null;
}

/** Open (unresolved) events, oldest first. */
export async function openOrphanEvents(db: Db, limit = 100_000): Promise<OrphanEvent[]> {
  const rows: EventRow[] = await db.query(
    `select ${COLUMNS} from bpetl.orphan_events where resolved_at is null order by id limit $1`,
    [limit],
  );
  return rows.map(toEvent);
}

async function resolveForReference(db: Db, ref: ProtectedReference): Promise<number> {
  const key = await rowKeyColumn(db, ref.sourceTable);
  const targetType = await columnType(db, ref.targetTable, ref.targetColumn);
  const col = `s.${ident(ref.sourceColumn)}`;
  // Open while the row exists and still holds the missing value (or was cleared to NULL) and that
  // value still resolves to nothing; a row an ON DELETE CASCADE took stays open until repair puts it
  // back. Types come from the catalog, identifiers from the spec.
  const [{ n }] = await db.query(
    `with resolved as (
     update bpetl.orphan_events e
        set resolved_at = now(),
            resolution = case when s.${ident(key)} is null then 'ROW_DELETED'
                              when ${col}::text <> o.missing_ref then 'REPOINTED'
                              else 'TARGET_RESTORED' end
       from bpetl.orphan_events o
       left join ${ident(ref.sourceTable)} s on s.${ident(key)} = o.row_id
      where e.id = o.id and o.resolved_at is null and o.reference = $1
        and ((s.${ident(key)} is null and o.lost_row is null)
             or (${col} is not null and (${col}::text <> o.missing_ref
                  or exists (select 1 from ${ident(ref.targetTable)} t
                              where t.${ident(ref.targetColumn)} = o.missing_ref::${targetType}))))
      returning 1)
     select count(*)::int as n from resolved`,
    [ref.name],
  );
  return n;
}

/**
 * Marks open events whose row no longer dangles as resolved: the row was deleted, re-pointed, or
 * its target re-created. Also drops the per-transaction context stash of finished transactions.
 * Returns how many events it resolved.
 */
export async function resolveStaleEvents(db: Db): Promise<number> {
  const open = await db.query(`select distinct reference from bpetl.orphan_events where resolved_at is null`);
  let resolved = 0;
  if (open.length > 0) {
    const names = new Set(open.map((r: { reference: string }) => r.reference));
    for (const ref of await loadProtectionSpec(db)) {
      if (names.has(ref.name)) resolved += await resolveForReference(db, ref);
    }
  }
  await db.query(`delete from bpetl.vanished_targets where xid < pg_snapshot_xmin(pg_current_snapshot())`);
  return resolved;
}
