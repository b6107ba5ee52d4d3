import type { EntityManager } from 'typeorm';

import { AppError } from '../../errors.ts';

type Db = Pick<EntityManager, 'query'>;

/** Largest page of `quarantine(first)`. */
export const MAX_QUARANTINE_PAGE = 500;

/** A row no re-match strategy matched uniquely: flagged and kept until a repair or its event resolves it. */
export interface QuarantineEntry {
  id: string;
  eventId: string | null;
  reference: string;
  table: string;
  column: string;
  rowId: string;
  missingRef: string;
  /** NO_MATCH (no candidate) or AMBIGUOUS (more than one: never guessed). */
  reason: string;
  candidates: number;
  flaggedAt: Date;
}

interface EntryRow {
  id: string;
  event_id: string | null;
  reference: string;
  row_id: string;
  missing_ref: string;
  reason: string;
  candidates: number;
  flagged_at: Date;
}

function toEntry(row: EntryRow): QuarantineEntry {
  // A spec entry is named `table.column`, the names it was made from.
  const [table = row.reference, column = ''] = row.reference.split('.');
  return {
    id: row.id,
    eventId: row.event_id,
    reference: row.reference,
    table,
    column,
    rowId: row.row_id,
    missingRef: row.missing_ref,
    reason: row.reason,
    candidates: row.candidates,
    flaggedAt: row.flagged_at,
  };
}

/**
 * Rows held in quarantine now, oldest first; `after` is an entry id. A flag is released by the repair
 * that re-points its row; one whose orphan event resolved otherwise (the row was deleted or re-pointed
 * by someone, the target came back) no longer holds anything either.
 */
export async function listQuarantine(db: Db, page: { first?: number; after?: number | null } = {}) {
  const first = page.first ?? 100;
  if (!Number.isInteger(first) || first < 1 || first > MAX_QUARANTINE_PAGE) {
    throw new AppError('INVALID_INPUT', `first must be between 1 and ${MAX_QUARANTINE_PAGE}, got ${first}`, {
      field: 'first',
    });
  }
  const rows: EntryRow[] = await db.query(
    `select id::text as id, event_id::text as event_id, reference, row_id::text as row_id, missing_ref, reason,
            candidates, flagged_at
       from bpetl.quarantine q
      where released_at is null and id > $1
        and not exists (select 1 from bpetl.orphan_events e where e.id = q.event_id and e.resolved_at is not null)
      order by id limit $2`,
    [page.after ?? 0, first],
  );
  return rows.map(toEntry);
}
