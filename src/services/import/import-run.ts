import type { PoolClient } from 'pg';
import type { EntityManager } from 'typeorm';

import { pgClientOf } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';
import { logger } from '../../logger.ts';
import { type LeagueCode, leagueInfo, normaliseLeagueCode } from '../../sources/leagues.ts';
import type { Source, SourceSummary } from '../../sources/records.ts';
import type { ImportWarning } from '../../sources/warnings.ts';
import { applyUpsert, fitTeamNames, type StagedRows } from './apply-upsert.ts';
import { collect, MAX_REPORTED_REJECTIONS } from './collect.ts';
import {
  addRejections,
  type ImportProgress,
  type ImportStats,
  type TableCounts,
  zero,
} from './import-stats.ts';
import { rekeyPlayers } from './player-ids.ts';
import { attachPlayers, reconcileTeamLists, teamsFromPlayers } from './player-teams.ts';
import * as resolve from './resolve.sql.ts';
import { type ImportShape, readImportShape } from './shape.ts';
import { checkShrink } from './shrink-guard.ts';
import { createStagingTables, StagingWriter } from './staging.ts';
import * as upsert from './upsert.sql.ts';

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

/** Pipeline step 4 inside its transaction (see importTeams). */
export async function runImport(
  manager: EntityManager,
  source: Source,
  options: ImportOptions,
): Promise<ImportStats> {
  const client = await pgClientOf(manager);
  const run = new ImportRun(client, manager, options);
  const stats = await run.read(source);
  await run.reconcile();
  await run.resolveReferences();
  await run.upsertTables();
  await run.finish();
  logger.debug({ tables: stats.tables, scope: stats.scope }, 'import step done');
  return stats;
}

/** Steps reported in progress events, from staging to series stats. */
const PHASES = 14;

/** One import on one connection: its phases in order, sharing the staged tables and the stats. */
export class ImportRun {
  private phase = 0;
  private readonly label: string;
  private shape!: ImportShape;
  private writer!: StagingWriter;
  private leagueIds: number[] = [];
  private playerLeagues: string[] = [];
  /** Player records grouped for matching by name (see attachPlayers), and those rejected. */
  private attached = { refs: 0, rejected: 0 };
  stats!: ImportStats;

  constructor(
    private readonly client: PoolClient,
    private readonly manager: EntityManager,
    private readonly options: ImportOptions,
  ) {
    this.label = options.label ?? options.path;
  }

  private async progress(message: string, done = this.phase, total: number | null = PHASES): Promise<void> {
    await this.options.checkCancelled?.();
    await this.options.onProgress?.({ done, total, message });
  }

  private async step(message: string): Promise<void> {
    this.phase++;
    await this.progress(message);
  }

  private async exec(sql: string, params?: unknown[]): Promise<number> {
    return (await this.client.query(sql, params)).rowCount ?? 0;
  }

  /** Reads the source into the staging tables; fails when it holds no valid record. */
  async read(source: Source): Promise<ImportStats> {
    // Sorts and hash joins over a million staged rows stay in memory instead of spilling to disk;
    // `set local` ends with the transaction.
    await this.exec(`set local work_mem = '128MB'`);
    // Index builds after a bulk load into an empty table (see insertRows) sort in memory too.
    await this.exec(`set local maintenance_work_mem = '256MB'`);
    // JIT compiling costs 0.3 to 1 s of CPU per statement whose estimated cost crosses jit_above_cost,
    // and the import's statements, scans and hash joins over staged rows, gain nothing from it: a
    // team-only feed spent 2.8 s of a 9 s run compiling (docs/BENCHMARKS.md, "Import, team-heavy").
    await this.exec(`set local jit = off`);
    // The tables as they are (the tool's own shape or an adopted platform's), read once per run.
    this.shape = await readImportShape(this.client);
    await createStagingTables(this.client);
    this.writer = new StagingWriter(this.client);
    await this.progress(`reading ${this.label}`);
    const collected = await collect(source, this.writer, {
      onItems: (read) => this.progress(`read ${read} records`, read, null),
      shape: this.shape,
    });
    const summary = source.summary();
    this.playerLeagues = [...collected.playerLeagues].sort();
    if (this.writer.rows.stg_teams === 0) {
      const first = collected.rejections[0];
      throw new AppError(
        'INVALID_INPUT',
        first
          ? `${this.label}: no valid records; ${collected.rejected} rejected, the first: ${first.file} record ${first.index} field "${first.field}": ${first.reason}`
          : `${this.label}: holds no records`,
        { file: this.label, rejected: collected.rejected, rejections: collected.rejections.slice(0, 20) },
      );
    }
    const rows = this.writer.rows;
    this.stats = {
      source: { kind: summary.kind, path: this.label, files: summary.files },
      scope: scopeOf(summary, this.options.leagues),
      dryRun: this.options.dryRun ?? false,
      records: {
        read: collected.read,
        teams: rows.stg_teams,
        players: rows.stg_players,
        fixtures: rows.stg_fixtures,
        stats: rows.stg_stats,
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
    return this.stats;
  }

  /**
   * The staged records made one consistent source: the team lists reconciled, the import's teams
   * chosen, every player attached to one of them or rejected; then the shrink guard. Nothing of the
   * database is written before this ends.
   */
  async reconcile(): Promise<void> {
    const { client, stats } = this;
    await this.step('staging');
    // Statistics only where the plans need them (joins and filters): most of ANALYZE's time on a
    // million staged rows goes to columns no statement compares.
    await this.exec(
      'analyze stg_teams, stg_players (team_key), stg_fixtures (league, away_team, home_key, away_key), stg_stats (team_key)',
    );
    stats.warnings.push(...(await reconcileTeamLists(client)));
    await this.exec(resolve.CREATE_TEAM_KEYS);
    // A table created by a query has no statistics: the planner would guess its size from its pages
    // and hash a million staged players instead of the far smaller team keys.
    await this.exec('analyze stg_team_keys');
    const unlisted = await teamsFromPlayers(client);
    stats.teamsFromPlayers = unlisted.map((w) => w.league!);
    stats.warnings.push(...unlisted);
    const attached = await attachPlayers(client, MAX_REPORTED_REJECTIONS - stats.rejections.length);
    this.attached = attached;
    stats.warnings.push(...attached.warnings);
    addRejections(stats, attached);

    await this.step('checking the shrink guard');
    await checkShrink(client, this.shape, stats, this.options.allowShrink ?? false, this.playerLeagues);
  }

  /** Leagues, clubs and series: created where missing (never renamed), their ids on every team key. */
  async resolveReferences(): Promise<void> {
    const { client, shape, stats } = this;
    const scope = stats.scope;
    await this.step('leagues');
    stats.tables.leagues.inserted = await this.exec(resolve.INSERT_LEAGUES, [
      scope,
      scope.map((code) => leagueInfo(code).displayName),
    ]);
    await this.exec(resolve.RESOLVE_LEAGUES);
    const { rows } = await client.query<{ id: number }>(
      `select id from leagues where league_id = any($1::text[])`,
      [scope],
    );
    this.leagueIds = rows.map((r) => r.id);

    await this.step('clubs');
    stats.tables.clubs.inserted = await this.exec(resolve.insertClubs(shape));
    await this.exec(resolve.resolveClubs(shape));
    stats.tables.clubLeagues.inserted = await this.exec(resolve.INSERT_CLUB_LEAGUES);

    await this.step('series');
    await this.exec(resolve.resolveSeries(shape));
    stats.tables.series.inserted = await this.exec(resolve.insertSeries(shape));
    // Only series just inserted are left to resolve.
    if (stats.tables.series.inserted > 0) await this.exec(resolve.resolveSeries(shape));
    stats.tables.seriesLeagues.inserted = await this.exec(resolve.INSERT_SERIES_LEAGUES);
    stats.tables.clubs.unchanged =
      (await this.count(`select count(distinct club_id) n from stg_team_keys`)) - stats.tables.clubs.inserted;
    stats.tables.series.unchanged =
      (await this.count(`select count(distinct series_id) n from stg_team_keys`)) -
      stats.tables.series.inserted;
    stats.tables.leagues.unchanged = scope.length - stats.tables.leagues.inserted;
  }

  private async count(sql: string): Promise<number> {
    return Number(((await this.client.query(sql)).rows[0] as { n: string }).n);
  }

  private async upsertInto(
    statements: upsert.UpsertStatements,
    staged: StagedRows,
    retireIn: () => Promise<number[]> | number[],
  ): Promise<TableCounts> {
    const result = await applyUpsert(this.client, statements, staged, retireIn, this.options.bulkMinRows);
    if (result.bulk) this.stats.bulkLoaded.push(statements.table);
    return result.counts;
  }

  /** Teams, players, schedule fixtures and series stats, each on its natural key. */
  async upsertTables(): Promise<void> {
    const { client, shape, stats, writer } = this;
    const leagueIds = () => this.leagueIds;
    await this.step('teams');
    stats.tables.teams = await this.upsertInto(
      upsert.teams(shape),
      {
        create: resolve.CREATE_TEAM_ROWS,
        table: 'stg_team_rows',
        records: writer.rows.stg_teams,
        prepare: () => fitTeamNames(client, shape, stats, this.label),
      },
      leagueIds,
    );
    await this.exec(resolve.RESOLVE_TEAM_IDS);
    // The resolving UPDATEs left a dead version of every row: size the table again for the joins of
    // players and fixtures.
    await this.exec('analyze stg_team_keys (team_key)');

    await this.step('players');
    const matched = this.attached.refs > 0;
    stats.tables.players = await this.upsertInto(
      upsert.players(shape, matched),
      {
        create: upsert.createPlayerRows(shape, matched),
        table: 'stg_player_rows',
        records: writer.rows.stg_players - this.attached.rejected,
        prepare: async () => {
          const rekeyed = await rekeyPlayers(client, this.manager);
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
        return this.leagueIds.filter((id) => rows.some((r) => r.id === id));
      },
    );

    await this.step('schedule fixtures');
    stats.tables.fixtures = await this.upsertInto(
      upsert.fixtures(shape),
      {
        create: upsert.createFixtureRows(shape),
        table: 'stg_fixture_rows',
        records: writer.rows.stg_fixtures,
      },
      leagueIds,
    );

    await this.step('series stats');
    stats.tables.seriesStats = await this.upsertInto(
      upsert.seriesStats(shape),
      { create: upsert.CREATE_STATS_ROWS, table: 'stg_stats_rows', records: writer.rows.stg_stats },
      leagueIds,
    );
  }

  /** Final counts: teams once each, and the records dropped in SQL for repeating a natural key. */
  async finish(): Promise<void> {
    const { stats, writer } = this;
    // The reader may repeat a team record (it remembers recent teams only): count teams once.
    stats.records.teams = await this.count(`select count(*) as n from stg_team_keys`);
    // Repeated records of one natural key were dropped in SQL (the first one won).
    const dropped = (records: number, counts: TableCounts) =>
      records - counts.inserted - counts.updated - counts.unchanged;
    stats.duplicates +=
      dropped(writer.rows.stg_players - this.attached.rejected, stats.tables.players) +
      dropped(writer.rows.stg_fixtures, stats.tables.fixtures) +
      dropped(writer.rows.stg_stats, stats.tables.seriesStats);
    this.phase = PHASES;
    await this.progress('import done');
  }
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

function scopeOf(summary: SourceSummary, leagues: string[] | undefined): LeagueCode[] {
  const scope = new Set<LeagueCode>(summary.leagues);
  for (const league of leagues ?? []) {
    const code = normaliseLeagueCode(league);
    if (code) scope.add(code);
  }
  return [...scope].sort();
}
