import type { DataSource, EntityManager } from 'typeorm';

import { loadProtectionSpec, type ProtectedReference } from '../protection/spec.ts';
import { rematch, REMATCH_TABLE, type RematchOutcome } from '../snapshots/rematch.ts';
import {
  currentTargetWords,
  REASONS,
  rematchRows,
  type RematchRowWords,
  repointedWords,
  subjectWords,
} from '../snapshots/row-words.ts';
import { runStep } from '../step/transaction.ts';
import { type Applied, applyMatches, reinsertLostRows } from './repair-rows.ts';
import { recordDanglingRows } from './scan.ts';

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
  /** The row, its old and new target and how it was matched, in words. */
  description: string;
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
  /** The row, its old target and the reason, in words. */
  description: string;
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
  const dryRun = options.dryRun ?? false;
  return runStep(dataSource, { tx: options.manager, dryRun, ownLock: REPAIR_LOCK }, (tx) =>
    repairOpenEvents(tx, dryRun, options.eventIds ?? null),
  );
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
  const eventOf = new Map(events.map((e) => [`${e.reference}:${e.row_id}`, e]));
  // What each row pointed at, as the strategies saw it (the event's, the snapshot's or the old row's).
  const words = new Map((await rematchRows(tx)).map((w) => [`${w.reference}:${w.rowId}`, w]));
  report.repaired = await applyOutcome(tx, spec, outcome, eventOf, dryRun);
  report.quarantined = await quarantineActions(tx, spec, outcome, eventOf, words, dryRun);
  await describeRepairs(tx, spec, report.repaired, words, dryRun);
  if (!dryRun) await record(tx, report);
  return report;
}

type EventsByRow = Map<string, OpenEvent>;

/** Re-points (or puts back) every matched row, reference by reference. */
async function applyOutcome(
  tx: EntityManager,
  spec: Map<string, ProtectedReference>,
  outcome: RematchOutcome,
  eventOf: EventsByRow,
  dryRun: boolean,
): Promise<RepairAction[]> {
  const repaired: RepairAction[] = [];
  for (const [name, ref] of spec) {
    const matched = outcome.matched.filter((m) => m.reference === name);
    if (matched.length === 0) continue;
    const lost = matched.filter((m) => eventOf.get(`${name}:${m.rowId}`)?.lost_row);
    const applied: Applied[] = [
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
      repaired.push({
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
        description: '',
      });
    }
  }
  return repaired;
}

/** What no unique match could repair: AMBIGUOUS when several candidates fitted, else NO_MATCH. */
async function quarantineActions(
  tx: EntityManager,
  spec: Map<string, ProtectedReference>,
  outcome: RematchOutcome,
  eventOf: EventsByRow,
  words: Map<string, RematchRowWords>,
  dryRun: boolean,
): Promise<QuarantineAction[]> {
  const ambiguous = new Set(
    (
      (await tx.query(`select reference, row_id::text from ${REMATCH_TABLE} where ambiguous`)) as Array<{
        reference: string;
        row_id: string;
      }>
    ).map((r) => `${r.reference}:${r.row_id}`),
  );
  return outcome.unmatched.map((row) => {
    const key = `${row.reference}:${row.rowId}`;
    const event = eventOf.get(key)!;
    const ref = spec.get(row.reference)!;
    const reason = ambiguous.has(key) ? 'AMBIGUOUS' : 'NO_MATCH';
    const subject = subjectWords(ref, row.rowId, words.get(key)?.context ?? {}, event.missing_ref);
    return {
      eventId: Number(event.id),
      reference: row.reference,
      table: ref.sourceTable,
      column: ref.sourceColumn,
      rowId: Number(row.rowId),
      missingRef: event.missing_ref,
      reason,
      description: `${subject}: ${REASONS[reason](ref.rematch)}; ${dryRun ? 'would be kept and flagged' : 'kept and flagged'}`,
    };
  });
}

/** Each repair in words: the row, what it pointed at, what it points at now and why. */
async function describeRepairs(
  tx: EntityManager,
  spec: Map<string, ProtectedReference>,
  repaired: RepairAction[],
  words: Map<string, RematchRowWords>,
  dryRun: boolean,
): Promise<void> {
  for (const [name, ref] of spec) {
    const mine = repaired.filter((a) => a.reference === name);
    if (mine.length === 0) continue;
    const now = await currentTargetWords(
      tx,
      ref,
      mine.map((a) => a.newValue),
    );
    for (const a of mine) {
      const subject = subjectWords(ref, a.rowId, words.get(`${name}:${a.rowId}`)?.context ?? {}, a.oldValue);
      a.description = `${subject}: ${repointedWords(now.get(a.newValue), a.strategy, dryRun, a.reinserted)}`;
    }
  }
}

/** Audit rows, resolved events, released and new quarantine flags. */
async function record(tx: EntityManager, report: RepairReport): Promise<void> {
  if (report.repaired.length > 0) await recordRepaired(tx, report.repaired);
  if (report.quarantined.length > 0) await recordQuarantined(tx, report.quarantined);
}

/** The audit rows (their ids into `r`), then the events settled and the flags released. */
async function recordRepaired(tx: EntityManager, r: RepairAction[]): Promise<void> {
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

async function recordQuarantined(tx: EntityManager, q: QuarantineAction[]): Promise<void> {
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

/**
 * For when protection was off: a full scan records every dangling reference that has no open
 * event (cause SCAN), then everything open is repaired or quarantined.
 */
export async function emergencyRepair(
  dataSource: DataSource,
  options: { dryRun?: boolean; manager?: EntityManager } = {},
): Promise<RepairReport> {
  const dryRun = options.dryRun ?? false;
  return runStep(dataSource, { tx: options.manager, dryRun, ownLock: REPAIR_LOCK }, async (tx) => {
    const detected = await recordDanglingRows(tx);
    const report = await repairOpenEvents(tx, dryRun, null);
    report.detected = detected;
    if (dryRun) {
      // The plan was computed against the scanned events; a dry run leaves no trace of them.
      await tx.query('rollback to savepoint bpetl_emergency_scan');
    }
    return report;
  });
}
