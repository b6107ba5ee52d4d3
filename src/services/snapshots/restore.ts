import type { DataSource, EntityManager } from 'typeorm';

import { seriesHaveLeague } from '../../db/catalog.ts';
import { type Db, ident } from '../../db/sql.ts';
import { loadProtectionSpec, type ProtectedReference } from '../protection/spec.ts';
import { runStep } from '../step/transaction.ts';
import { columnType, CONTEXT_COLUMNS, contextSql, rowKeyColumn } from './reference-context.ts';
import { prepareRematchTable, REMATCH_TABLE, resolvePending } from './rematch.ts';
import { currentTargetWords, REASONS, rematchRows, repointedWords, subjectWords } from './row-words.ts';
import { getSnapshot } from './snapshots.ts';

export interface RestoreResult {
  snapshotId: number;
  dryRun: boolean;
  /** Snapshot rows whose user row still exists. */
  checked: number;
  remapped: number;
  unchanged: number;
  /** Rows whose reference changed but that no unique match could re-point (left as they are). */
  unmatched: number;
  byReference: Array<{ reference: string; remapped: number; unmatched: number }>;
  /** The rows it re-pointed or could not (unmatched first), each in words: the first 20 unless asked. */
  rows: RestoredRow[];
}

/** One user row restore re-pointed (REMAPPED) or could not (UNMATCHED), in words. */
export interface RestoredRow {
  reference: string;
  rowId: string;
  outcome: 'REMAPPED' | 'UNMATCHED';
  description: string;
}

/** How many rows a restore describes one by one (the counts cover all of them). */
export const RESTORED_ROWS_SHOWN = 20;

export interface RestoreOptions {
  snapshotId: number;
  /** Computes the plan and changes nothing. */
  dryRun?: boolean;
  manager?: EntityManager;
  /** How many rows `rows` describes (default RESTORED_ROWS_SHOWN; null: every one). */
  rows?: number | null;
}

/**
 * Pipeline step 5a: re-points every user row whose reference no longer names the natural key it
 * named in the snapshot (target deleted, re-created under a new id, retired and replaced, or its key
 * changed), using the snapshot's context and the re-match strategies. Unique matches only; nothing is
 * deleted; every change is recorded in bpetl.restore_actions (old value, new value, strategy).
 * A row the user re-pointed since the snapshot (to a target that exists) is left alone.
 * On its own it is a step (services/step): its own transaction under the import lock.
 */
export async function restoreUserData(
  dataSource: DataSource,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const dryRun = options.dryRun ?? false;
  return runStep(dataSource, { tx: options.manager, dryRun }, async (manager) => {
    const snapshot = await getSnapshot(manager, options.snapshotId);
    const spec = await loadProtectionSpec(manager);
    await prepareRematchTable(manager);
    let checked = 0;
    // The snapshot's rows are usually not yet analysed (just taken): row estimates
    // of 1 would pick a nested loop per row; every row of a reference is visited, so hash joins win.
    const [{ previous }]: Array<{ previous: string }> = await manager.query(
      `select current_setting('enable_nestloop') as previous, set_config('enable_nestloop', 'off', true)`,
    );
    try {
      for (const ref of spec) checked += await queueChangedRows(manager, snapshot.id, ref);
    } finally {
      // In a failed transaction this cannot run, and need not: the setting goes with the transaction.
      await manager
        .query(`select set_config('enable_nestloop', $1, true)`, [previous])
        .catch(() => undefined);
    }
    await resolvePending(manager, spec, snapshot.id);
    const counts: Array<{ reference: string; remapped: number; unmatched: number }> = await manager.query(
      `select reference,
              count(*) filter (where new_value is not null and new_value is distinct from current_value)::int
                as remapped,
              count(*) filter (where new_value is null)::int as unmatched
         from ${REMATCH_TABLE} group by reference`,
    );
    const found = new Map(counts.map((c) => [c.reference, c]));
    const byReference = spec.map((ref) => ({
      reference: ref.name,
      remapped: found.get(ref.name)?.remapped ?? 0,
      unmatched: found.get(ref.name)?.unmatched ?? 0,
    }));
    const rows = await describeRows(
      manager,
      spec,
      dryRun,
      options.rows === undefined ? RESTORED_ROWS_SHOWN : options.rows,
    );
    if (!dryRun) {
      for (const ref of spec) {
        if (found.get(ref.name)?.remapped) await applyRemaps(manager, snapshot.id, ref);
      }
    }
    const remapped = byReference.reduce((n, r) => n + r.remapped, 0);
    const unmatched = byReference.reduce((n, r) => n + r.unmatched, 0);
    return {
      snapshotId: snapshot.id,
      dryRun,
      checked,
      remapped,
      unchanged: checked - remapped - unmatched,
      unmatched,
      byReference,
      rows,
    };
  });
}

/** The first rows re-pointed or left unmatched, in words: what they pointed at in the snapshot, and why. */
async function describeRows(
  manager: Db,
  spec: ProtectedReference[],
  dryRun: boolean,
  limit: number | null,
): Promise<RestoredRow[]> {
  const changed = await rematchRows(
    manager,
    'new_value is null or new_value is distinct from current_value',
    limit,
  );
  const byName = new Map(spec.map((r) => [r.name, r]));
  const now = new Map<string, Map<string, string>>();
  for (const ref of spec) {
    const values = changed
      .filter((c) => c.reference === ref.name && c.newValue !== null)
      .map((c) => c.newValue!);
    if (values.length > 0) now.set(ref.name, await currentTargetWords(manager, ref, values));
  }
  return changed.map((c) => {
    const ref = byName.get(c.reference)!;
    const subject = subjectWords(ref, c.rowId, c.context, c.oldValue);
    if (c.newValue === null) {
      const reason = REASONS[c.ambiguous ? 'AMBIGUOUS' : 'NO_MATCH'](ref.rematch);
      return {
        reference: c.reference,
        rowId: c.rowId,
        outcome: 'UNMATCHED',
        description: `${subject}: ${reason}; left as it is`,
      };
    }
    return {
      reference: c.reference,
      rowId: c.rowId,
      outcome: 'REMAPPED',
      description: `${subject}: ${repointedWords(now.get(c.reference)?.get(c.newValue), c.method ?? '', dryRun)}`,
    };
  });
}

/**
 * Puts the snapshot rows of one reference whose current value no longer names the same natural key
 * into the work table, with the snapshot's context. Returns how many snapshot rows still exist.
 */
async function queueChangedRows(manager: Db, snapshotId: number, ref: ProtectedReference): Promise<number> {
  const key = await rowKeyColumn(manager, ref.sourceTable);
  const current = `s.${ident(ref.sourceColumn)}`;
  const ctx = contextSql(ref, current, 'c', { seriesHaveLeague: await seriesHaveLeague(manager) });
  const keyChanged = ctx.naturalKey.map((c) => `sr.${c} is distinct from ${ctx.columns[c]}`).join(' or ');
  const [{ checked }]: Array<{ checked: number }> = await manager.query(
    `with checked as (
       select sr.*, ${current}::text as current_value, ${ctx.exists} as target_exists,
              ${ctx.active} as target_active, (${keyChanged}) as key_changed
         from bpetl.snapshot_rows sr
         join ${ident(ref.sourceTable)} s on s.${ident(key)} = sr.row_id
         ${ctx.joins}
        where sr.snapshot_id = $1 and sr.reference = $2 and ${ref.rowFilter ? `(${ref.rowFilter})` : 'true'}),
     queued as (
       insert into ${REMATCH_TABLE} (reference, strategy, row_id, old_value, current_value, has_context,
                                     ${CONTEXT_COLUMNS.join(', ')})
       select $2, $3, row_id, current_value, current_value,
              -- Changed by a user since the snapshot, then lost: the snapshot knows nothing of it.
              current_value is null or current_value = value,
              ${CONTEXT_COLUMNS.map((c) => `case when current_value is null or current_value = value then ${c} end`).join(', ')}
         from checked
        where value is not null
          and (current_value is null
               or (current_value = value and (not target_exists or not target_active or key_changed))
               or (current_value <> value and not target_exists))
       returning 1)
     select (select count(*) from checked)::int as checked, (select count(*) from queued)::int as queued`,
    [snapshotId, ref.name, ref.rematch],
  );
  return checked;
}

async function applyRemaps(manager: Db, snapshotId: number, ref: ProtectedReference): Promise<void> {
  const key = await rowKeyColumn(manager, ref.sourceTable);
  const type = await columnType(manager, ref.sourceTable, ref.sourceColumn);
  const column = ident(ref.sourceColumn);
  await manager.query(
    `with moved as (
       update ${ident(ref.sourceTable)} s set ${column} = cast(r.new_value as ${type})
         from ${REMATCH_TABLE} r
        where r.reference = $1 and s.${ident(key)} = r.row_id
          and r.new_value is not null and r.new_value is distinct from r.current_value
          and s.${column}::text is not distinct from r.current_value
       returning r.row_id, r.current_value, r.new_value, r.method)
     insert into bpetl.restore_actions (snapshot_id, reference, row_id, old_value, new_value, strategy)
     select $2, $1, row_id, current_value, new_value, method from moved`,
    [ref.name, snapshotId],
  );
}
