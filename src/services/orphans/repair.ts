import type { DataSource, EntityManager } from 'typeorm';

import { type Db, ident, withTransaction } from '../../db/sql.ts';
import { AppError, sqlState } from '../../errors.ts';
import { CHANNEL } from '../../events/channels.ts';
import { danglingPredicate, loadProtectionSpec, type ProtectedReference } from '../protection/spec.ts';
import { columnType, rowKeyColumn } from '../snapshots/reference-context.ts';
import { rematch, REMATCH_TABLE } from '../snapshots/rematch.ts';

/** Repairs run one at a time across instances (auto-repair on every instance, CLI, API). */
const REPAIR_LOCK = 0x6270_7270; // 'bprp'

export interface RepairAction {
  /** The audit row (null in a dry run). */
  repairId: number | null;
  eventId: number;
  reference: string;
  table: string;
  column: string;
  rowId: number;
  oldValue: string | null;
  newValue: string;
  strategy: string;
  /**
   * Rows put back: 0 for a re-pointed row; for a row an ON DELETE CASCADE deleted, 1 plus the rows
   * the cascade deleted below it (a poll's choices and responses), re-inserted as they were.
   */
  reinserted: number;
}

export interface QuarantineAction {
  eventId: number;
  reference: string;
  table: string;
  column: string;
  rowId: number;
  missingRef: string;
  /** NO_MATCH: nothing fits; AMBIGUOUS: several candidates, so none is guessed. */
  reason: 'NO_MATCH' | 'AMBIGUOUS';
}

export interface RepairReport {
  dryRun: boolean;
  /** Open events examined. */
  examined: number;
  repaired: RepairAction[];
  quarantined: QuarantineAction[];
  /** Events found by the full scan (emergency repair only). */
  detected: number;
}

interface OpenEvent {
  id: string;
  reference: string;
  row_id: string;
  missing_ref: string;
  context: Record<string, string | null> | null;
  /** The row as an ON DELETE CASCADE deleted it, to put back. */
  lost_row: Record<string, unknown> | null;
}

export interface RepairOptions {
  /** Compute the plan, change nothing (default false). */
  dryRun?: boolean;
  /** Only these events (auto-repair passes the batch it just saw); default every open event. */
  eventIds?: number[];
  /** Run inside the caller's transaction. */
  manager?: EntityManager;
}

/**
 * Repairs open orphan events with the restore strategies (rematch), unique matches only: the
 * captured natural-key context (or the snapshot's) → today's team; team name or alias within the
 * league and club; practice rows by `<Club> Practice - <Series>`. Each repair records old and new
 * value in bpetl.repairs; anything else is quarantined (flagged and kept). Nothing is deleted.
 */
export async function repairOrphans(
  dataSource: DataSource,
  options: RepairOptions = {},
): Promise<RepairReport> {
  return withTransaction(dataSource, options.manager, async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [REPAIR_LOCK]);
    return repairOpenEvents(tx, options.dryRun ?? false, options.eventIds ?? null);
  });
}

async function repairOpenEvents(tx: EntityManager, dryRun: boolean, eventIds: number[] | null) {
  // The newest open event per row and reference: a row nulled and then flagged twice is one repair.
  const events: OpenEvent[] = await tx.query(
    `select distinct on (reference, row_id) id::text, reference, row_id::text, missing_ref, context, lost_row
       from bpetl.orphan_events
      where resolved_at is null and ($1::bigint[] is null or id = any($1))
      order by reference, row_id, id desc`,
    [eventIds],
  );
  const report: RepairReport = {
    dryRun,
    examined: events.length,
    repaired: [],
    quarantined: [],
    detected: 0,
  };
  if (events.length === 0) return report;
  const spec = new Map((await loadProtectionSpec(tx)).map((r) => [r.name, r]));
  const outcome = await rematch(
    tx,
    events.map((e) => ({
      reference: e.reference,
      rowId: e.row_id,
      oldValue: e.missing_ref,
      context: e.context ?? undefined,
    })),
  );
  const ambiguous = new Set(
    (
      (await tx.query(`select reference, row_id::text from ${REMATCH_TABLE} where ambiguous`)) as Array<{
        reference: string;
        row_id: string;
      }>
    ).map((r) => `${r.reference}:${r.row_id}`),
  );
  const eventOf = new Map(events.map((e) => [`${e.reference}:${e.row_id}`, e]));
  for (const [name, ref] of spec) {
    const matched = outcome.matched.filter((m) => m.reference === name);
    if (matched.length === 0) continue;
    const lost = matched.filter((m) => eventOf.get(`${name}:${m.rowId}`)?.lost_row);
    const applied = [
      ...(await applyMatches(tx, ref, matched, dryRun)),
      ...(await reinsertLostRows(
        tx,
        ref,
        lost.map((m) => {
          const event = eventOf.get(`${name}:${m.rowId}`)!;
          return { ...m, eventId: event.id, row: event.lost_row! };
        }),
        dryRun,
      )),
    ];
    for (const a of applied) {
      const event = eventOf.get(`${name}:${a.rowId}`)!;
      report.repaired.push({
        repairId: null,
        eventId: Number(event.id),
        reference: name,
        table: ref.sourceTable,
        column: ref.sourceColumn,
        rowId: Number(a.rowId),
        oldValue: a.oldValue,
        newValue: a.newValue,
        strategy: a.strategy,
        reinserted: a.reinserted,
      });
    }
  }
  for (const row of outcome.unmatched) {
    const event = eventOf.get(`${row.reference}:${row.rowId}`)!;
    const ref = spec.get(row.reference)!;
    report.quarantined.push({
      eventId: Number(event.id),
      reference: row.reference,
      table: ref.sourceTable,
      column: ref.sourceColumn,
      rowId: Number(row.rowId),
      missingRef: event.missing_ref,
      reason: ambiguous.has(`${row.reference}:${row.rowId}`) ? 'AMBIGUOUS' : 'NO_MATCH',
    });
  }
  if (!dryRun) await record(tx, report);
  return report;
}

interface Applied {
  rowId: string;
  oldValue: string | null;
  newValue: string;
  strategy: string;
  reinserted: number;
}

/**
 * Points each matched row at its new target, set-based, but only rows that still dangle as they did
 * (a row re-pointed since detection is left alone). Returns what changed (or would change).
 */
async function applyMatches(
  tx: EntityManager,
  ref: ProtectedReference,
  matched: Array<{ rowId: number | string; newValue: string; strategy: string }>,
  dryRun: boolean,
): Promise<Applied[]> {
  const key = ident(await rowKeyColumn(tx, ref.sourceTable));
  const type = await columnType(tx, ref.sourceTable, ref.sourceColumn);
  const col = ident(ref.sourceColumn);
  const params = [
    matched.map((m) => String(m.rowId)),
    matched.map((m) => m.newValue),
    matched.map((m) => m.strategy),
  ];
  const candidates = `
    select s.${key}::text as row_id, s.${col}::text as old_value, m.new_value, m.strategy
      from unnest($1::text[], $2::text[], $3::text[]) m(row_id, new_value, strategy)
      join ${ident(ref.sourceTable)} s on s.${key}::text = m.row_id
     where (s.${col} is null or ${danglingPredicate(ref)}) and s.${col} is distinct from m.new_value::${type}`;
  if (dryRun) {
    const rows: Array<{ row_id: string; old_value: string | null; new_value: string; strategy: string }> =
      await tx.query(candidates, params);
    return rows.map((r) => ({
      rowId: r.row_id,
      oldValue: r.old_value,
      newValue: r.new_value,
      strategy: r.strategy,
      reinserted: 0,
    }));
  }
  const rows: Array<{ row_id: string; old_value: string | null; new_value: string; strategy: string }> =
    await tx.query(
      `with c as (${candidates} for update of s),
            u as (update ${ident(ref.sourceTable)} s set ${col} = c.new_value::${type}
                    from c where s.${key}::text = c.row_id returning s.${key}::text as row_id)
       select c.* from c join u using (row_id)`,
      params,
    );
  return rows.map((r) => ({
    rowId: r.row_id,
    oldValue: r.old_value,
    newValue: r.new_value,
    strategy: r.strategy,
    reinserted: 0,
  }));
}

/**
 * Rows an ON DELETE CASCADE deleted with their target go back as they were, pointing at the
 * re-matched target (same id, every other column as captured), unless a row with that key exists;
 * then the rows the cascade deleted below them (bpetl.lost_rows), as they were.
 */
async function reinsertLostRows(
  tx: EntityManager,
  ref: ProtectedReference,
  lost: Array<{
    rowId: number | string;
    eventId: string;
    newValue: string;
    strategy: string;
    row: Record<string, unknown>;
  }>,
  dryRun: boolean,
): Promise<Applied[]> {
  if (lost.length === 0) return [];
  const key = await rowKeyColumn(tx, ref.sourceTable);
  const table = `public.${ident(ref.sourceTable)}`;
  const columns: Array<{ name: string }> = await tx.query(
    `select attname as name from pg_attribute
      where attrelid = to_regclass($1) and attnum > 0 and not attisdropped and attgenerated = ''`,
    [table],
  );
  const list = columns.map((c) => ident(c.name)).join(', ');
  const rows = lost.map((l) => ({ ...l.row, [ref.sourceColumn]: l.newValue }));
  const absent = `select r.* from jsonb_populate_recordset(null::${table}, $1::jsonb) r
                   where not exists (select 1 from ${table} s where s.${ident(key)} = r.${ident(key)})`;
  const back: Array<{ row_id: string }> = dryRun
    ? await tx.query(`select ${ident(key)}::text as row_id from (${absent}) a`, [JSON.stringify(rows)])
    : await tx.query(
        `with i as (insert into ${table} (${list}) overriding system value select ${list} from (${absent}) a
                    returning ${ident(key)}::text as row_id)
         select * from i`,
        [JSON.stringify(rows)],
      );
  const byRow = new Map(lost.map((l) => [String(l.rowId), l]));
  const below = await reinsertDescendants(
    tx,
    back.map((b) => byRow.get(b.row_id)!.eventId),
    dryRun,
  );
  return back.map((b) => {
    const l = byRow.get(b.row_id)!;
    return {
      rowId: b.row_id,
      oldValue: String(l.row[ref.sourceColumn]),
      newValue: l.newValue,
      strategy: l.strategy,
      reinserted: 1 + (below.get(l.eventId) ?? 0),
    };
  });
}

/**
 * The rows a cascade deleted below the re-inserted ones, every level in one statement (one insert
 * per table): foreign keys between them are checked at its end, when all are back. A row whose key
 * is taken meanwhile is left as it is. Returns, per event, how many rows were kept below its row.
 */
async function reinsertDescendants(
  tx: EntityManager,
  eventIds: string[],
  dryRun: boolean,
): Promise<Map<string, number>> {
  if (eventIds.length === 0) return new Map();
  const counts: Array<{ event_id: string; n: number }> = await tx.query(
    `select event_id::text, count(*)::int as n from bpetl.lost_rows
      where event_id = any($1::bigint[]) and restored_at is null group by event_id`,
    [eventIds],
  );
  if (counts.length === 0 || dryRun) return new Map(counts.map((c) => [c.event_id, c.n]));
  const tables: Array<{ table_name: string; rows: unknown[] }> = await tx.query(
    `select table_name, jsonb_agg(row_data order by depth, id) as rows from bpetl.lost_rows
      where event_id = any($1::bigint[]) and restored_at is null
        and to_regclass(format('public.%I', table_name)) is not null
      group by table_name order by min(depth), table_name`,
    [eventIds],
  );
  const inserts: string[] = [];
  const params: string[] = [];
  for (const [i, t] of tables.entries()) {
    const table = `public.${ident(t.table_name)}`;
    const columns: Array<{ name: string }> = await tx.query(
      `select attname as name from pg_attribute
        where attrelid = to_regclass($1) and attnum > 0 and not attisdropped and attgenerated = ''
        order by attnum`,
      [table],
    );
    const list = columns.map((c) => ident(c.name)).join(', ');
    params.push(JSON.stringify(t.rows));
    inserts.push(
      `i${i} as (insert into ${table} (${list}) overriding system value
                 select ${list} from jsonb_populate_recordset(null::${table}, $${i + 1}::jsonb)
                 on conflict do nothing returning 1)`,
    );
  }
  if (inserts.length > 0) {
    await tx.query(
      `with ${inserts.join(', ')} select ${inserts.map((_, i) => `(select count(*) from i${i})`).join(' + ')} as n`,
      params,
    );
  }
  await tx.query(
    `update bpetl.lost_rows set restored_at = now() where event_id = any($1::bigint[]) and restored_at is null`,
    [eventIds],
  );
  return new Map(counts.map((c) => [c.event_id, c.n]));
}

/** Audit rows, resolved events, released and new quarantine flags. */
async function record(tx: EntityManager, report: RepairReport): Promise<void> {
  if (report.repaired.length > 0) {
    const r = report.repaired;
    const ids: Array<{ id: string }> = await tx.query(
      `insert into bpetl.repairs (event_id, reference, source_table, source_column, row_id, old_value, new_value, strategy,
                                  reinserted)
       select * from unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[],
                            $9::int[])
       returning id::text`,
      [
        r.map((a) => a.eventId),
        r.map((a) => a.reference),
        r.map((a) => a.table),
        r.map((a) => a.column),
        r.map((a) => a.rowId),
        r.map((a) => a.oldValue),
        r.map((a) => a.newValue),
        r.map((a) => a.strategy),
        r.map((a) => a.reinserted),
      ],
    );
    ids.forEach((row, i) => (r[i]!.repairId = Number(row.id)));
    // The rows put back below a re-inserted row name the repair that did it.
    await tx.query(
      `update bpetl.lost_rows l set repair_id = x.repair_id
         from unnest($1::bigint[], $2::bigint[]) x(event_id, repair_id)
        where l.event_id = x.event_id and l.repair_id is null`,
      [
        r.filter((a) => a.reinserted > 1).map((a) => a.eventId),
        r.filter((a) => a.reinserted > 1).map((a) => a.repairId),
      ],
    );
    // Every open event of a repaired row is settled, not only the newest.
    await tx.query(
      `update bpetl.orphan_events e set resolved_at = now(), resolution = 'REPAIRED'
         from unnest($1::text[], $2::bigint[]) x(reference, row_id)
        where e.resolved_at is null and e.reference = x.reference and e.row_id = x.row_id`,
      [r.map((a) => a.reference), r.map((a) => a.rowId)],
    );
    await tx.query(
      `update bpetl.quarantine q set released_at = now()
         from unnest($1::text[], $2::bigint[]) x(reference, row_id)
        where q.released_at is null and q.reference = x.reference and q.row_id = x.row_id`,
      [r.map((a) => a.reference), r.map((a) => a.rowId)],
    );
  }
  if (report.quarantined.length > 0) {
    const q = report.quarantined;
    await tx.query(
      `insert into bpetl.quarantine (event_id, reference, row_id, missing_ref, reason)
       select * from unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[])
       on conflict do nothing`,
      [
        q.map((a) => a.eventId),
        q.map((a) => a.reference),
        q.map((a) => a.rowId),
        q.map((a) => a.missingRef),
        q.map((a) => a.reason),
      ],
    );
  }
}

/**
 * For when protection was off: a full scan records every dangling reference that has no open
 * event (cause SCAN), then everything open is repaired or quarantined.
 */
export async function emergencyRepair(
  dataSource: DataSource,
  options: { dryRun?: boolean; manager?: EntityManager } = {},
): Promise<RepairReport> {
  return withTransaction(dataSource, options.manager, async (tx) => {
    await tx.query('select pg_advisory_xact_lock($1)', [REPAIR_LOCK]);
    const detected = await recordDanglingRows(tx);
    const report = await repairOpenEvents(tx, options.dryRun ?? false, null);
    report.detected = detected;
    if (options.dryRun) {
      // The plan was computed against the scanned events; a dry run leaves no trace of them.
      await tx.query('rollback to savepoint bpetl_emergency_scan');
    }
    return report;
  });
}

async function recordDanglingRows(tx: Db): Promise<number> {
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
