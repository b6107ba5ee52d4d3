import type { EntityManager } from 'typeorm';

import { ident } from '../../db/sql.ts';
import { danglingPredicate, type ProtectedReference } from '../protection/spec.ts';
import { columnType, rowKeyColumn } from '../snapshots/reference-context.ts';

/**
 * What a repair does to the user rows: re-points the rows that still dangle, and puts back the rows
 * an ON DELETE CASCADE deleted (with what went with them). Every function computes the same result
 * in a dry run and changes nothing.
 */

export interface Applied {
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
export async function applyMatches(
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
  const rows: Array<{ row_id: string; old_value: string | null; new_value: string; strategy: string }> =
    dryRun
      ? await tx.query(candidates, params)
      : await tx.query(
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
export async function reinsertLostRows(
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
