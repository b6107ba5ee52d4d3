import type { PoolClient } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

import { AppError } from '../../errors.ts';
import { logger } from '../../logger.ts';
import { type LeagueCode, leagueInfo, normaliseLeagueCode } from '../../sources/leagues.ts';
import { openSource } from '../../sources/open-source.ts';
import type { Rejection, Source, SourceSummary } from '../../sources/records.ts';
import type { ImportWarning } from '../../sources/warnings.ts';
import { runStep } from '../step/transaction.ts';
import { BULK_INSERT_MIN_ROWS, insertRows } from './bulk-insert.ts';
import { collect, MAX_REPORTED_REJECTIONS } from './collect.ts';
import { rekeyPlayers } from './player-ids.ts';
import { attachPlayers, reconcileTeamLists, teamsFromPlayers } from './player-teams.ts';
import * as resolve from './resolve.sql.ts';
import { type ImportShape, readImportShape } from './shape.ts';
import { createStagingTables, StagingWriter } from './staging.ts';
import * as upsert from './upsert.sql.ts';

export interface TableCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  retired: number;
}

export interface ImportStats {
  source: { kind: SourceSummary['kind']; path: string; files: SourceSummary['files'] };
  /** Leagues refreshed: those present in the source plus those named by `leagues`. */
  scope: LeagueCode[];
  dryRun: boolean;
  records: {
    read: number;
    teams: number;
    players: number;
    fixtures: number;
    stats: number;
    practices: number;
  };
  duplicates: number;
  rejected: number;
  /** The first rejections (all of them up to a cap), each naming file, record, field and reason. */
  rejections: Rejection[];
  tables: Record<
    | 'leagues'
    | 'clubs'
    | 'series'
    | 'clubLeagues'
    | 'seriesLeagues'
    | 'teams'
    | 'players'
    | 'fixtures'
    | 'seriesStats',
    TableCounts
  >;
  /** Per league in scope: active teams before, and how many the feed no longer lists. */
  shrink: Shrink[];
  /** Per league whose players the source lists: active players before, and how many it no longer lists. */
  playerShrink: Shrink[];
  /** What the import tolerated instead of rejecting, and what it did (see sources/warnings.ts). */
  warnings: ImportWarning[];
  /** Leagues whose teams came from the players file: the source has no team list for them. */
  teamsFromPlayers: string[];
  /** Players who came under a new id and kept their row; user rows that followed them, per reference. */
  playerIds: { changed: number; moved: Record<string, number> };
  /** Tables whose new rows were bulk-loaded, their foreign keys checked in one pass (see insertRows). */
  bulkLoaded: string[];
}

export interface Shrink {
  league: string;
  active: number;
  missing: number;
  fraction: number;
}

export interface ImportProgress {
  done: number;
  total: number | null;
  message: string;
}

export interface ImportOptions {
  /** A league feed directory or a teams file; the caller has confined it where it must be. */
  path: string;
  /** Only these leagues are read; they are in scope even when the source lacks them. */
  leagues?: string[];
  dryRun?: boolean;
  allowShrink?: boolean;
  /** Run inside this transaction (the pipeline's); else the import opens, locks and ends its own. */
  manager?: EntityManager;
  onProgress?: (progress: ImportProgress) => void | Promise<void>;
  /** Called between batches and statements; throws to stop the import (cancellation). */
  checkCancelled?: () => void | Promise<void>;
  /** Label for the source in messages (the path the user gave, not the resolved one). */
  label?: string;
  /** Every file read must resolve inside this directory (API callers: the import directory). */
  root?: string;
  /** Fewest new rows for a table to be bulk-loaded (see insertRows); default BULK_INSERT_MIN_ROWS. */
  bulkMinRows?: number;
}

/** Share of a league's active teams an import may retire without `allowShrink`. */
export const SHRINK_LIMIT = 0.25;

/**
 * Pipeline step 4: stream-parse the source, COPY its records into staging tables, and refresh
 * every reference table with set-based statements on natural keys. Ids of existing rows never
 * change; rows that vanish from the feed inside the scope are retired, never deleted.
 */
export async function importTeams(dataSource: DataSource, options: ImportOptions): Promise<ImportStats> {
  // Repeated records are dropped in SQL (DISTINCT ON, first record wins, as the reader would):
  // the reader's own de-duplication keeps every key in memory, which a national-scale feed cannot afford.
  const source = await openSource(options.path, {
    leagues: options.leagues,
    dedupeRecords: false,
    root: options.root,
    label: options.label,
  });
  return runStep(dataSource, { tx: options.manager, dryRun: options.dryRun }, (manager) =>
    runImport(manager, source, options),
  );
}

async function runImport(
  manager: EntityManager,
  source: Source,
  options: ImportOptions,
): Promise<ImportStats> {
  const client = (await manager.queryRunner!.connect()) as PoolClient;
  const label = options.label ?? options.path;
  const cancelled = options.checkCancelled ?? (() => undefined);
  const phases = 14;
  let phase = 0;
  const progress = async (message: string, done = phase, total: number | null = phases) => {
    await cancelled();
    await options.onProgress?.({ done, total, message });
  };

  // Sorts and hash joins over a million staged rows stay in memory instead of spilling to disk;
  // `set local` ends with the transaction.
  await client.query(`set local work_mem = '128MB'`);
  // Index builds after a bulk load into an empty table (see insertRows) sort in memory too.
  await client.query(`set local maintenance_work_mem = '256MB'`);
  // The tables as they are (the tool's own shape or an adopted platform's), read once per run.
  const shape = await readImportShape(client);
  await createStagingTables(client);
  const writer = new StagingWriter(client);
  await progress(`reading ${label}`);
  const collected = await collect(source, writer, {
    onItems: (read) => progress(`read ${read} records`, read, null),
    shape,
  });
  const summary = source.summary();
  const accepted = writer.rows.stg_teams;
  if (accepted === 0) {
    const first = collected.rejections[0];
    throw new AppError(
      'INVALID_INPUT',
      first
        ? `${label}: no valid records; ${collected.rejected} rejected, the first: ${first.file} record ${first.index} field "${first.field}": ${first.reason}`
        : `${label}: holds no records`,
      { file: label, rejected: collected.rejected, rejections: collected.rejections.slice(0, 20) },
    );
  }

  const scope = scopeOf(summary, options.leagues);
  const stats: ImportStats = {
    source: { kind: summary.kind, path: label, files: summary.files },
    scope,
    dryRun: options.dryRun ?? false,
    records: {
      read: collected.read,
      teams: writer.rows.stg_teams,
      players: writer.rows.stg_players,
      fixtures: writer.rows.stg_fixtures,
      stats: writer.rows.stg_stats,
      practices: collected.practices,
    },
    duplicates: summary.duplicates,
    rejected: collected.rejected,
    rejections: collected.rejections,
    tables: {
      leagues: zero(),
      clubs: zero(),
      series: zero(),
      clubLeagues: zero(),
      seriesLeagues: zero(),
      teams: zero(),
      players: zero(),
      fixtures: zero(),
      seriesStats: zero(),
    },
    shrink: [],
    playerShrink: [],
    warnings: summary.warnings,
    teamsFromPlayers: [],
    playerIds: { changed: 0, moved: {} },
    bulkLoaded: [],
  };
  const run = async (sql: string, params?: unknown[]) => (await client.query(sql, params)).rowCount ?? 0;
  const upsertInto = async (
    statements: upsert.UpsertStatements,
    staged: StagedRows,
    retireIn: () => Promise<number[]> | number[],
  ) => {
    const counts = await applyUpsert(client, statements, staged, retireIn, options.bulkMinRows);
    if (counts.bulk) stats.bulkLoaded.push(statements.table);
    return counts.counts;
  };
  const step = async (message: string) => {
    phase++;
    await progress(message);
  };

  await step('staging');
  // Statistics only where the plans need them (joins and filters): most of ANALYZE's time on a
  // million staged rows goes to columns no statement compares.
  await run(
    'analyze stg_teams, stg_players (team_key), stg_fixtures (league, away_team, home_key, away_key), stg_stats (team_key)',
  );
  stats.warnings.push(...(await reconcileTeamLists(client)));
  await run(resolve.CREATE_TEAM_KEYS);
  // A table created by a query has no statistics: the planner would guess its size from its pages
  // and hash a million staged players instead of the far smaller team keys.
  await run('analyze stg_team_keys');
  const unlisted = await teamsFromPlayers(client);
  stats.teamsFromPlayers = unlisted.map((w) => w.league!);
  stats.warnings.push(...unlisted);
  const attached = await attachPlayers(client, MAX_REPORTED_REJECTIONS - stats.rejections.length);
  stats.warnings.push(...attached.warnings);
  addRejections(stats, attached);

  await step('checking the shrink guard');
  await checkShrink(client, shape, stats, options.allowShrink ?? false);

  await step('leagues');
  stats.tables.leagues.inserted = await run(resolve.INSERT_LEAGUES, [
    scope,
    scope.map((code) => leagueInfo(code).displayName),
  ]);
  await run(resolve.RESOLVE_LEAGUES);
  const leagueIds = (
    (await client.query(`select id from leagues where league_id = any($1::text[])`, [scope])).rows as Array<{
      id: number;
    }>
  ).map((r) => r.id);

  await step('clubs');
  stats.tables.clubs.inserted = await run(resolve.insertClubs(shape));
  await run(resolve.resolveClubs(shape));
  stats.tables.clubLeagues.inserted = await run(resolve.INSERT_CLUB_LEAGUES);

  await step('series');
  await run(resolve.resolveSeries(shape));
  stats.tables.series.inserted = await run(resolve.insertSeries(shape));
  await run(resolve.resolveSeries(shape));
  stats.tables.seriesLeagues.inserted = await run(resolve.INSERT_SERIES_LEAGUES);
  const distinct = async (sql: string) => Number(((await client.query(sql)).rows[0] as { n: string }).n);
  stats.tables.clubs.unchanged =
    (await distinct(`select count(distinct club_id) n from stg_team_keys`)) - stats.tables.clubs.inserted;
  stats.tables.series.unchanged =
    (await distinct(`select count(distinct series_id) n from stg_team_keys`)) - stats.tables.series.inserted;
  stats.tables.leagues.unchanged = scope.length - stats.tables.leagues.inserted;

  await step('teams');
  stats.tables.teams = await upsertInto(
    upsert.teams(shape),
    {
      create: resolve.CREATE_TEAM_ROWS,
      table: 'stg_team_rows',
      records: writer.rows.stg_teams,
      prepare: () => fitTeamNames(client, shape, stats, label),
    },
    () => leagueIds,
  );
  await run(resolve.RESOLVE_TEAM_IDS);
  // The resolving UPDATEs left a dead version of every row: size the table again for the joins of
  // players and fixtures.
  await run('analyze stg_team_keys (team_key)');

  await step('players');
  stats.tables.players = await upsertInto(
    upsert.players(shape, attached.refs > 0),
    {
      create: upsert.createPlayerRows(shape, attached.refs > 0),
      table: 'stg_player_rows',
      records: writer.rows.stg_players - attached.rejected,
      prepare: async () => {
        const rekeyed = await rekeyPlayers(client, manager);
        stats.playerIds = { changed: rekeyed.players, moved: rekeyed.moved };
        if (rekeyed.players > 0) stats.warnings.push(playerIdsWarning(rekeyed));
      },
    },
    async () => {
      // Players are retired only in leagues whose roster the source lists at all: a feed with no
      // players for a league says nothing about who left it.
      const { rows } = await client.query<{ id: number }>(
        `select distinct league_id as id from stg_player_rows`,
      );
      return leagueIds.filter((id) => rows.some((r) => r.id === id));
    },
  );

  await step('schedule fixtures');
  stats.tables.fixtures = await upsertInto(
    upsert.fixtures(shape),
    {
      create: upsert.createFixtureRows(shape),
      table: 'stg_fixture_rows',
      records: writer.rows.stg_fixtures,
    },
    () => leagueIds,
  );

  await step('series stats');
  stats.tables.seriesStats = await upsertInto(
    upsert.seriesStats(shape),
    { create: upsert.CREATE_STATS_ROWS, table: 'stg_stats_rows', records: writer.rows.stg_stats },
    () => leagueIds,
  );

  // The reader may repeat a team record (it remembers recent teams only): count teams once.
  stats.records.teams = Number(
    ((await client.query(`select count(*) as n from stg_team_keys`)).rows[0] as { n: string }).n,
  );
  // Repeated records of one natural key were dropped in SQL (the first one won).
  const dropped = (records: number, counts: TableCounts) =>
    records - counts.inserted - counts.updated - counts.unchanged;
  stats.duplicates +=
    dropped(writer.rows.stg_players - attached.rejected, stats.tables.players) +
    dropped(writer.rows.stg_fixtures, stats.tables.fixtures) +
    dropped(writer.rows.stg_stats, stats.tables.seriesStats);

  phase = phases;
  await progress('import done');
  logger.debug({ tables: stats.tables, scope }, 'import step done');
  return stats;
}

/** Rejections found in SQL (players no team matches) join the reader's, up to the cap. */
function addRejections(stats: ImportStats, found: { rejected: number; rejections: Rejection[] }): void {
  if (found.rejected === 0) return;
  stats.rejected += found.rejected;
  stats.rejections.push(...found.rejections.slice(0, MAX_REPORTED_REJECTIONS - stats.rejections.length));
  const players = stats.source.files.find((file) => file.file === 'players.json');
  if (players) players.rejected += found.rejected;
}

const shrinks = (rows: Array<{ league: string; active: number; missing: number }>): Shrink[] =>
  rows.map((r) => ({ ...r, fraction: r.active ? r.missing / r.active : 0 }));

/**
 * The shrink guard, before anything is written: a league in scope whose active teams, or active
 * players, would drop by more than SHRINK_LIMIT stops the run unless `allowShrink` is set.
 */
async function checkShrink(
  client: PoolClient,
  shape: ImportShape,
  stats: ImportStats,
  allowShrink: boolean,
): Promise<void> {
  stats.shrink = shrinks((await client.query(resolve.shrinkCheck(shape), [stats.scope])).rows);
  stats.playerShrink = shrinks((await client.query(resolve.PLAYER_SHRINK_CHECK, [stats.scope])).rows);
  const over = (s: Shrink) => s.fraction > SHRINK_LIMIT;
  const leagues = [...new Set([...stats.shrink, ...stats.playerShrink].filter(over).map((s) => s.league))];
  if (leagues.length === 0 || allowShrink) return;
  const details = leagues.sort().map((league) => {
    const teams = stats.shrink.find((s) => s.league === league);
    const players = stats.playerShrink.find((s) => s.league === league);
    const change = (s: Shrink | undefined) => s && { before: s.active, after: s.active - s.missing };
    return { league, ...teams, teams: change(teams) ?? null, players: change(players) ?? null };
  });
  const parts = [
    ...stats.shrink.filter(over).map((s) => describeShrink(s, 'teams')),
    ...stats.playerShrink.filter(over).map((s) => describeShrink(s, 'players')),
  ];
  throw new AppError(
    'SHRINK_GUARD',
    `the import would retire ${parts.join(', ')}; more than ${SHRINK_LIMIT * 100} % needs allowShrink`,
    { leagues: details },
  );
}

function describeShrink(s: Shrink, what: 'teams' | 'players'): string {
  return `${s.missing} of ${s.active} active ${what} of ${s.league} (${Math.round(s.fraction * 100)} %)`;
}

function playerIdsWarning(rekeyed: Awaited<ReturnType<typeof rekeyPlayers>>): ImportWarning {
  const moved = Object.values(rekeyed.moved).reduce((sum, n) => sum + n, 0);
  return {
    code: 'PLAYER_IDS_CHANGED',
    file: 'players.json',
    league: null,
    count: rekeyed.players,
    sample: rekeyed.sample ?? '',
    action: `their rows kept their ids and took the new one; ${moved} user rows followed (bpetl.restore_actions)`,
    message: `${rekeyed.players} players came under a new id and were matched to their row by team and name`,
  };
}

/** The rows an upsert reads: the statement that creates them from staging, and how many were staged. */
interface StagedRows {
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
async function fitTeamNames(
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

async function applyUpsert(
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
  return {
    counts: { inserted: inserted.rows, updated, unchanged: total - inserted.rows - updated, retired },
    bulk: inserted.bulk,
  };
}

function scopeOf(summary: SourceSummary, leagues: string[] | undefined): LeagueCode[] {
  const scope = new Set<LeagueCode>(summary.leagues);
  for (const league of leagues ?? []) {
    const code = normaliseLeagueCode(league);
    if (code) scope.add(code);
  }
  return [...scope].sort();
}

function zero(): TableCounts {
  return { inserted: 0, updated: 0, unchanged: 0, retired: 0 };
}
