import type { DataSource, EntityManager } from 'typeorm';

import { seriesHaveLeague } from '../../db/catalog.ts';
import { type Db, ident, pgClientOf, withTransaction } from '../../db/sql.ts';
import { AppError, sqlState } from '../../errors.ts';
import { loadProtectionSpec } from '../protection/spec.ts';
import { CONTEXT_COLUMNS, contextSql, rowKeyColumn } from './reference-context.ts';

/** Snapshots kept when bpetl.settings has no `snapshot_retention`. */
export const DEFAULT_SNAPSHOT_RETENTION = 10;

export interface SnapshotSummary {
  id: number;
  createdAt: Date;
  note: string | null;
  runId: string | null;
  /** Its run's status (RUNNING until the run ends); null for a snapshot taken on its own. */
  runStatus: string | null;
  rows: number;
  byType: Array<{ dataType: string; rows: number }>;
}

/** A run's end that did not commit: its snapshot is what an operator restores from. */
export const FAILED_RUN_STATUSES = ['FAILED', 'ROLLED_BACK', 'CANCELLED'] as const;

export interface CreateSnapshotOptions {
  note?: string | null;
  /**
   * The pipeline run taking it: marked RUNNING, and kept while it is; the run's end records its
   * status here (see `pruneSnapshots` for what a failed run's snapshot is kept for).
   */
  runId?: string | null;
  /** Overrides the `snapshot_retention` setting for this call's pruning. */
  retention?: number;
  manager?: EntityManager;
}

interface SnapshotRow {
  id: number;
  created_at: Date;
  note: string | null;
  run_id: string | null;
  run_status: string | null;
  rows: number;
  by_type: Array<{ dataType: string; rows: number }>;
}

const SUMMARY_COLUMNS = `id::int as id, created_at, note, run_id, run_status, rows::int as rows, by_type`;

function toSummary(row: SnapshotRow): SnapshotSummary {
  return {
    id: row.id,
    createdAt: row.created_at,
    note: row.note,
    runId: row.run_id,
    runStatus: row.run_status,
    rows: row.rows,
    byType: row.by_type,
  };
}

/**
 * Pipeline step 3: copies every protection-spec reference of every user row into bpetl, with the
 * natural key of what it points at, so restore can re-point rows after their targets got new ids.
 * One set-based INSERT … SELECT per spec entry; logged tables, so it survives a crash.
 * Then prunes old snapshots (see `pruneSnapshots`).
 */
export async function createSnapshot(
  dataSource: DataSource,
  options: CreateSnapshotOptions = {},
): Promise<SnapshotSummary> {
  return withTransaction(dataSource, options.manager, async (manager) => {
    const [{ id }]: Array<{ id: number }> = await manager.query(
      `insert into bpetl.snapshots (note, run_id, released, run_status)
       values ($1, $2, $3, case when $2::text is not null then 'RUNNING' end) returning id::int as id`,
      [options.note ?? null, options.runId ?? null, options.runId == null],
    );
    const perType = new Map<string, number>();
    for (const ref of await loadProtectionSpec(manager)) {
      const rows = await snapshotReference(manager, id, ref);
      perType.set(ref.dataType, Math.max(perType.get(ref.dataType) ?? 0, rows));
    }
    const byType = [...perType].map(([dataType, rows]) => ({ dataType, rows }));
    const total = byType.reduce((sum, t) => sum + t.rows, 0);
    await manager.query(`update bpetl.snapshots set rows = $2, by_type = $3::jsonb where id = $1`, [
      id,
      total,
      JSON.stringify(byType),
    ]);
    await pruneSnapshots(manager, options.retention);
    return getSnapshot(manager, id);
  });
}

async function snapshotReference(
  manager: EntityManager,
  snapshotId: number,
  ref: Awaited<ReturnType<typeof loadProtectionSpec>>[number],
): Promise<number> {
  const key = await rowKeyColumn(manager, ref.sourceTable);
  const ctx = contextSql(ref, `s.${ident(ref.sourceColumn)}`, 'c', {
    seriesHaveLeague: await seriesHaveLeague(manager),
  });
  const sql = `insert into bpetl.snapshot_rows (snapshot_id, reference, row_id, value, ${CONTEXT_COLUMNS.join(', ')})
     select $1, $2, s.${ident(key)}, s.${ident(ref.sourceColumn)}::text,
            ${CONTEXT_COLUMNS.map((c) => ctx.columns[c]).join(', ')}
       from ${ident(ref.sourceTable)} s ${ctx.joins}
      where ${ref.rowFilter ? `(${ref.rowFilter})` : 'true'}`;
  // The pg client's row count needs no RETURNING pass over a million rows.
  const result = await (await pgClientOf(manager)).query(sql, [snapshotId, ref.name]);
  return result.rowCount ?? 0;
}

/**
 * A data type's row count is that of its largest reference (availability has two references per
 * row), so `rows` counts user rows, not references.
 */
export async function listSnapshots(db: Db): Promise<SnapshotSummary[]> {
  const rows: SnapshotRow[] = await db.query(
    `select ${SUMMARY_COLUMNS} from bpetl.snapshots order by id desc`,
  );
  return rows.map(toSummary);
}

/** One snapshot; NOT_FOUND when it does not exist (or was pruned). */
export async function getSnapshot(db: Db, id: number): Promise<SnapshotSummary> {
  const rows: SnapshotRow[] = await db.query(`select ${SUMMARY_COLUMNS} from bpetl.snapshots where id = $1`, [
    id,
  ]);
  if (!rows[0]) throw new AppError('NOT_FOUND', `Snapshot ${id} does not exist`, { snapshotId: id });
  return toSummary(rows[0]);
}

/** Records how the run that took snapshot `id` ended (SUCCEEDED releases it). */
export async function markSnapshotRun(db: Db, id: number, status: string): Promise<void> {
  await db.query(`update bpetl.snapshots set run_status = $2, released = ($2 = 'SUCCEEDED') where id = $1`, [
    id,
    status,
  ]);
}

/** Marks a run's snapshot as no longer needed by it (the run succeeded). */
export async function releaseSnapshot(db: Db, id: number): Promise<void> {
  await markSnapshotRun(db, id, 'SUCCEEDED');
}

/** The configured retention (bpetl.settings `snapshot_retention`), else the default of 10. */
export async function snapshotRetention(db: Db): Promise<number> {
  const rows: Array<{ value: unknown }> = await db.query(
    `select value from bpetl.settings where key = 'snapshot_retention'`,
  );
  const value = Number(rows[0]?.value);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_SNAPSHOT_RETENTION;
}

/**
 * Keeps the newest `retention` snapshots and deletes older ones, except: the snapshot of a run
 * still in progress; the newest snapshot of a failed run (FAILED, ROLLED_BACK, CANCELLED) until a
 * later run succeeds, because that is the one an operator restores from after a failure; and those
 * something else references by foreign key. Older failed runs' snapshots age out like any other,
 * so a run that fails every hour does not pile up snapshots. Returns the ids deleted.
 */
export async function pruneSnapshots(manager: Db, retention?: number): Promise<number[]> {
  const keep = retention ?? (await snapshotRetention(manager));
  if (!Number.isInteger(keep) || keep < 1) {
    throw new AppError('INVALID_INPUT', `Snapshot retention must be a positive integer, got ${keep}`, {
      field: 'retention',
    });
  }
  const candidates: Array<{ id: number }> = await manager.query(
    `select s.id::int as id from bpetl.snapshots s
      where s.id < all (select id from bpetl.snapshots order by id desc limit $1)
        and s.run_status is distinct from 'RUNNING'
        and s.id is distinct from
            (select f.id from bpetl.snapshots f
              where f.run_status = any($2::text[])
                and not exists (select 1 from bpetl.snapshots later
                                 where later.id > f.id and later.run_status = 'SUCCEEDED')
              order by f.id desc limit 1)
      order by s.id`,
    [keep, [...FAILED_RUN_STATUSES]],
  );
  const deleted: number[] = [];
  for (const { id } of candidates) {
    // A savepoint per snapshot: a foreign key from a table outside this module (a runs table)
    // makes the delete fail, and that snapshot must then simply stay, rows and all.
    await manager.query('savepoint bpetl_prune');
    try {
      await manager.query(`delete from bpetl.snapshots where id = $1`, [id]);
      await manager.query(`delete from bpetl.snapshot_rows where snapshot_id = $1`, [id]);
      await manager.query('release savepoint bpetl_prune');
      deleted.push(id);
    } catch (err) {
      await manager.query('rollback to savepoint bpetl_prune');
      if (sqlState(err) !== '23503') throw err;
    }
  }
  return deleted;
}
