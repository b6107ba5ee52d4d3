import type { DataSource, EntityManager } from 'typeorm';

import { type Db, ident, withTransaction } from '../../db/sql.ts';
import { AppError, sqlState } from '../../errors.ts';
import { columnType, rowKeyColumn } from '../snapshots/reference-context.ts';

/** The repairs' audit trail (bpetl.repairs): listed, and undone one at a time. */

export interface RepairRecord {
  id: number;
  eventId: number | null;
  reference: string;
  table: string;
  column: string;
  rowId: number;
  oldValue: string | null;
  newValue: string;
  strategy: string;
  /** Rows it re-inserted (a row an ON DELETE CASCADE deleted, and what went with it); 0 for a re-point. */
  reinserted: number;
  repairedAt: Date;
  undoneAt: Date | null;
}

interface RepairRow {
  id: string;
  event_id: string | null;
  reference: string;
  source_table: string;
  source_column: string;
  row_id: string;
  old_value: string | null;
  new_value: string;
  strategy: string;
  reinserted: number;
  repaired_at: Date;
  undone_at: Date | null;
}

function toRecord(r: RepairRow): RepairRecord {
  return {
    id: Number(r.id),
    eventId: r.event_id === null ? null : Number(r.event_id),
    reference: r.reference,
    table: r.source_table,
    column: r.source_column,
    rowId: Number(r.row_id),
    oldValue: r.old_value,
    newValue: r.new_value,
    strategy: r.strategy,
    reinserted: r.reinserted,
    repairedAt: r.repaired_at,
    undoneAt: r.undone_at,
  };
}

/** The audit trail, newest first. */
export async function listRepairs(db: Db, options: { first?: number | null } = {}): Promise<RepairRecord[]> {
  const first = options.first ?? 100;
  if (!Number.isInteger(first) || first < 1 || first > 1000) {
    throw new AppError('INVALID_INPUT', `first must be between 1 and 1000, got ${first}`, { field: 'first' });
  }
  const rows: RepairRow[] = await db.query(`select * from bpetl.repairs order by id desc limit $1`, [first]);
  return rows.map(toRecord);
}

/**
 * Restores the value a repair replaced. Refused when the repair was already undone or the row no
 * longer holds the repaired value (someone changed it since: undoing would overwrite their change).
 * Restoring a dangling value makes the triggers report the row again, as they should.
 */
export async function undoRepair(
  dataSource: DataSource,
  id: number,
  options: { manager?: EntityManager } = {},
): Promise<RepairRecord> {
  return withTransaction(dataSource, options.manager, async (tx) => {
    const [row]: RepairRow[] = await tx.query(`select * from bpetl.repairs where id = $1 for update`, [id]);
    if (!row) throw new AppError('NOT_FOUND', `No repair with id ${id}`, { field: 'id', id });
    if (row.undone_at) {
      throw new AppError(
        'INVALID_INPUT',
        `Repair ${id} was already undone at ${row.undone_at.toISOString()}`,
        {
          field: 'id',
          id,
        },
      );
    }
    if (row.reinserted > 0) {
      throw new AppError(
        'INVALID_INPUT',
        `Repair ${id} cannot be undone: it re-inserted ${row.source_table} row ${row.row_id} (and ` +
          `${row.reinserted - 1} row(s) below it) that an ON DELETE CASCADE had deleted; undoing it would ` +
          'delete them again, which repairs never do (delete them by hand if that is what is wanted)',
        { field: 'id', id },
      );
    }
    const key = ident(await rowKeyColumn(tx, row.source_table));
    const col = ident(row.source_column);
    const type = await columnType(tx, row.source_table, row.source_column);
    let updated: unknown[];
    try {
      updated = await tx.query(
        `with u as (update ${ident(row.source_table)} set ${col} = $1::${type}
                     where ${key}::text = $2 and ${col}::text = $3 returning 1)
         select * from u`,
        [row.old_value, row.row_id, row.new_value],
      );
    } catch (err) {
      if (sqlState(err) === '23503') {
        throw new AppError(
          'INVALID_INPUT',
          `Repair ${id} cannot be undone: ${row.source_table}.${row.source_column} has a foreign key and the old value ${row.old_value} no longer exists`,
          { field: 'id', id },
          { cause: err },
        );
      }
      throw err;
    }
    if (updated.length === 0) {
      throw new AppError(
        'INVALID_INPUT',
        `Repair ${id} cannot be undone: ${row.source_table} row ${row.row_id} no longer holds ${row.source_column} = ${row.new_value}`,
        { field: 'id', id },
      );
    }
    const [undone]: RepairRow[] = await tx.query(
      `with u as (update bpetl.repairs set undone_at = now() where id = $1 returning *) select * from u`,
      [id],
    );
    return toRecord(undone!);
  });
}
