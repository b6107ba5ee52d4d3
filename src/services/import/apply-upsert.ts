import type { PoolClient } from 'pg';

import { BULK_INSERT_MIN_ROWS, insertRows } from './bulk-insert.ts';
import { MAX_REPORTED_REJECTIONS } from './collect.ts';
import { type ImportStats, type TableCounts, zero } from './import-stats.ts';
import * as resolve from './resolve.sql.ts';
import type { ImportShape } from './shape.ts';
import type * as upsert from './upsert.sql.ts';

/** The rows an upsert reads: the statement that creates them from staging, and how many were staged. */
export interface StagedRows {
  create: string;
  table: string;
  /** Records staged, before repeated natural keys are dropped. */
  records: number;
  /** Runs after `create`, before the rows are written (fits them to the table's other unique keys). */
  prepare?: () => Promise<void>;
}

/**
 * Fits staged teams to a second unique key on (team_name, league_id), when the database has one:
 * colliding names take their display name; teams whose name still collides are rejected.
 */
export async function fitTeamNames(
  client: PoolClient,
  shape: ImportShape,
  stats: ImportStats,
  label: string,
): Promise<void> {
  if (!shape.teamNameUnique) return;
  await client.query(resolve.DISAMBIGUATE_TEAM_NAMES);
  const { rows } = await client.query<{ team_name: string; league: string }>(
    resolve.DROP_COLLIDING_TEAM_NAMES,
  );
  for (const row of rows) {
    stats.rejected++;
    if (stats.rejections.length >= MAX_REPORTED_REJECTIONS) continue;
    stats.rejections.push({
      file: label,
      index: -1,
      field: 'team',
      reason: `another team of ${row.league} already has this name, and ${shape.teamNameUnique} keeps team names unique within a league`,
      value: row.team_name,
    });
  }
}

export async function applyUpsert(
  client: PoolClient,
  statements: upsert.UpsertStatements,
  staged: StagedRows,
  retireIn: () => Promise<number[]> | number[],
  bulkMinRows = BULK_INSERT_MIN_ROWS,
): Promise<{ counts: TableCounts; bulk: boolean }> {
  // Names here are this module's own constants, never input.
  const count = async (table: string) =>
    Number(((await client.query(`select count(*) n from ${table}`)).rows[0] as { n: string }).n);
  const existing = await count(statements.table);
  if (existing === 0 && statements.insertIntoEmpty) {
    // A first import: nothing to match, update or retire.
    const inserted = await insertRows(client, statements.table, statements.insertIntoEmpty, {
      bulk: staged.records >= bulkMinRows,
      empty: true,
    });
    if (inserted.bulk) await analyzeLoaded(client, statements.table);
    return { counts: { ...zero(), inserted: inserted.rows }, bulk: inserted.bulk };
  }
  await client.query(staged.create);
  await staged.prepare?.();
  const total = await count(staged.table);
  // Into an empty table (a first import) there is nothing to update or retire. Rows are retired
  // before the new ones go in: retirement matches staged rows to rows that existed before the import.
  const updated = existing > 0 ? ((await client.query(statements.update)).rowCount ?? 0) : 0;
  const leagueIds = existing > 0 && statements.retire ? await retireIn() : [];
  const retired =
    leagueIds.length > 0 ? ((await client.query(statements.retire!, [leagueIds])).rowCount ?? 0) : 0;
  // A load that at least doubles the table (a first import, a new large league) is a bulk load.
  const bulk = total >= bulkMinRows && total > existing;
  const inserted = await insertRows(client, statements.table, statements.insert, {
    bulk,
    empty: existing === 0,
  });
  if (inserted.bulk) await analyzeLoaded(client, statements.table);
  return {
    counts: { inserted: inserted.rows, updated, unchanged: total - inserted.rows - updated, retired },
    bulk: inserted.bulk,
  };
}

/**
 * Statistics for a table a bulk load has at least doubled. Without them (autovacuum comes later,
 * or is off) the planner keeps the table's old size: the next import's statements then probe the
 * indexes of 100,000 teams one row at a time (the shrink check took 1.1 to 2.1 s instead of under
 * 0.2 s). ANALYZE samples a bounded number of rows, so it costs the same on any size.
 */
async function analyzeLoaded(client: PoolClient, table: string): Promise<void> {
  // The name is one of the upsert statements' own constants, never input.
  await client.query(`analyze ${table}`);
}
