import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDataSource } from '../../../src/db/data-source.ts';
import { type ImportStats, importTeams } from '../../../src/services/import/import-teams.ts';
import { runCli } from '../../helpers/cli.ts';
import { useTestDatabase } from '../../helpers/database.ts';

/**
 * Players attach to the teams of the team lists: each way a record is matched, each reason it is
 * rejected, and each warning, on hand-made feeds (every import here is a dry run unless it says so).
 */
const db = useTestDatabase();
let dataSource: DataSource;
let dir: string;

beforeAll(async () => {
  dataSource = await openDataSource(db.url, { poolSize: 3 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-attach-'));
});
afterAll(async () => {
  await dataSource?.destroy();
  await rm(dir, { recursive: true, force: true });
});

const stats = (league: string, series: string, team: string) => ({
  series,
  team,
  league_id: league,
  points: 1,
  matches: { won: 1, lost: 0, tied: 0 },
  lines: { won: 1, lost: 0, for: 0, ret: 0 },
  sets: { won: 1, lost: 0 },
  games: { won: 6, lost: 0 },
});

let playerId = 0;
const player = (
  league: string,
  series: string,
  team: string,
  club = '',
  extra: Record<string, unknown> = {},
) => ({
  League: league,
  Series: series,
  'Series Mapping ID': team,
  Club: club,
  'Player ID': `attach-${++playerId}`,
  'First Name': 'Ada',
  'Last Name': `Player ${playerId}`,
  PTI: '40',
  Wins: '1',
  Losses: '0',
  Captain: '',
  ...extra,
});

const fixture = (league: string, series: string, home: string, away: string) => ({
  date: '10/01/2025',
  time: '06:30 pm',
  home_team: home,
  away_team: away,
  location: 'Court',
  series,
  League: league,
});

let feeds = 0;
async function feed(files: Record<string, unknown[]>): Promise<string> {
  const target = path.join(dir, `feed-${++feeds}`);
  await mkdir(target, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    await writeFile(path.join(target, file), JSON.stringify(content));
  }
  return target;
}

async function dryRun(files: Record<string, unknown[]>): Promise<ImportStats> {
  return importTeams(dataSource, { path: await feed(files), dryRun: true, allowShrink: true });
}

const codes = (s: ImportStats) => s.warnings.map((w) => [w.code, w.league, w.count]);

describe('players attach to the teams of the team lists', () => {
  it('a player whose own key names a team of the lists attaches at once: no warning', async () => {
    const s = await dryRun({
      'series_stats.json': [stats('NSTF', 'Series 1', 'Oakmere S1')],
      'players.json': [player('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere')],
    });
    expect([s.rejected, s.warnings, s.tables.players.inserted]).toEqual([0, [], 1]);
  });

  it('a record naming the wrong series is matched by team name, never creating a team', async () => {
    const s = await dryRun({
      'series_stats.json': [
        stats('CNSWPL', 'Series 6', 'Frostvale Club 6'),
        stats('CNSWPL', 'Series 2', 'Oakmere 2'),
      ],
      'players.json': [
        player('CNSWPL', 'Series 1', 'Frostvale Club 6', 'Frostvale'),
        player('CNSWPL', 'Series 1', 'Oakmere 2', 'Oak'),
      ],
    });
    expect(s.rejected).toBe(0);
    expect(s.tables.teams.inserted).toBe(2);
    expect(s.tables.series.inserted).toBe(2);
    expect(s.tables.players.inserted).toBe(2);
    expect(s.warnings).toEqual([
      {
        code: 'PLAYERS_MATCHED_BY_NAME',
        file: 'players.json',
        league: 'CNSWPL',
        count: 2,
        sample: 'record 0: "Frostvale Club 6" in "Series 1" → Frostvale Club 6 (Series 6)',
        action: 'matched by team name',
        message:
          '2 CNSWPL player records name series Series 1, but their teams are in 2 series of the team lists: matched by team name',
      },
    ]);
  });

  it('a name without its division marker matches the one team that carries it', async () => {
    const s = await dryRun({
      'series_stats.json': [stats('APTA_CHICAGO', 'Chicago 7 SW', 'Copperleaf - 7 SW')],
      'players.json': [player('APTA_CHICAGO', 'Series 7', 'Copperleaf 7', 'Copperleaf')],
    });
    expect([s.rejected, s.tables.teams.inserted, s.tables.players.inserted]).toEqual([0, 1, 1]);
    expect(codes(s)).toEqual([['PLAYERS_MATCHED_WITHOUT_MARKER', 'APTA_CHICAGO', 1]]);
    expect(s.warnings[0]!.sample).toBe(
      'record 0: "Copperleaf 7" in "Series 7" → Copperleaf - 7 SW (Chicago 7 SW)',
    );
  });

  it('a name that fits two teams is rejected unless the series tells them apart', async () => {
    // NSTF teams named after their club alone: one name, two series.
    const lists = {
      'series_stats.json': [
        stats('NSTF', 'Series A', 'Middlebrook'),
        stats('NSTF', 'Series B', 'Middlebrook'),
      ],
    };
    const tied = await dryRun({ ...lists, 'players.json': [player('NSTF', 'Series C', 'Middlebrook')] });
    expect(tied.rejected).toBe(1);
    expect(tied.rejections).toEqual([
      {
        file: 'players.json',
        index: 0,
        field: 'team',
        reason:
          'team "Middlebrook" in series "Series C" (NSTF) fits 2 teams of the team lists (Middlebrook (Series A), Middlebrook (Series B)), and its series and club do not tell them apart',
        value: 'Middlebrook',
      },
    ]);
    expect(codes(tied)).toEqual([['PLAYERS_UNMATCHED', 'NSTF', 1]]);
    expect(tied.source.files.find((f) => f.file === 'players.json')!.rejected).toBe(1);

    const told = await dryRun({ ...lists, 'players.json': [player('NSTF', 'Series B', 'Middlebrook')] });
    expect([told.rejected, told.tables.players.inserted, told.warnings]).toEqual([0, 1, []]);
  });

  it('the series a team name carries breaks a tie between markers', async () => {
    const s = await dryRun({
      'series_stats.json': [
        stats('APTA_CHICAGO', 'Chicago 7 SW', 'Copperleaf - 7 SW'),
        stats('APTA_CHICAGO', 'Chicago 7', 'Copperleaf - 7 E'),
      ],
      'players.json': [player('APTA_CHICAGO', 'Series 8', 'Copperleaf 7')],
    });
    expect(s.rejected).toBe(0);
    expect(s.warnings[0]!.sample).toBe(
      'record 0: "Copperleaf 7" in "Series 8" → Copperleaf - 7 E (Chicago 7)',
    );
  });

  it('a team no list holds is rejected with field team, naming what the record asked for', async () => {
    const s = await dryRun({
      'series_stats.json': [stats('NSTF', 'Series 1', 'Oakmere S1')],
      'players.json': [
        player('NSTF', 'Series 1', 'Oakmere S1'),
        player('NSTF', 'Series 2', 'Phantom S2', 'Phantom'),
      ],
    });
    expect(s.tables.teams.inserted).toBe(1);
    expect(s.tables.clubs.inserted).toBe(1);
    expect(s.rejections).toEqual([
      {
        file: 'players.json',
        index: 1,
        field: 'team',
        reason: `no team of the source's team lists matches team "Phantom S2" in series "Series 2" (NSTF)`,
        value: 'Phantom S2',
      },
    ]);
  });

  it('no player attaches to any team: the run goes on, every record rejected, one warning', async () => {
    const s = await dryRun({
      'series_stats.json': [stats('NSTF', 'Series 1', 'Oakmere S1')],
      'players.json': [player('NSTF', 'Series 3', 'Nowhere S3'), player('NSTF', 'Series 4', 'Elsewhere S4')],
    });
    expect([s.rejected, s.tables.teams.inserted, s.tables.players.inserted]).toEqual([2, 1, 0]);
    expect(codes(s)).toEqual([['PLAYERS_UNMATCHED', 'NSTF', 2]]);
  });

  it('CITA names teams after their club: a name alone never matches, with its series it does', async () => {
    const lists = {
      'series_stats.json': [stats('CITA', 'Series 4.5 & Under Fri', 'Lakeside Paddle Club')],
    };
    const alone = await dryRun({
      ...lists,
      'players.json': [player('CITA', 'Series 3.5', 'Lakeside Paddle Club')],
    });
    expect(alone.rejected).toBe(1);
    const withSeries = await dryRun({
      ...lists,
      'players.json': [player('CITA', 'Series 4.5 & Under Fri', 'lakeside  paddle club')],
    });
    expect([withSeries.rejected, withSeries.warnings]).toEqual([0, []]);
  });

  it('a league with no team list takes its teams from its players, and the stats say so', async () => {
    const s = await dryRun({
      'series_stats.json': [stats('NSTF', 'Series 1', 'Oakmere S1')],
      'players.json': [
        player('NSTF', 'Series 1', 'Oakmere S1'),
        player('CNSWPL', 'Division 2', 'Birchwood 2', 'Birchwood 2'),
      ],
    });
    expect(s.teamsFromPlayers).toEqual(['CNSWPL']);
    expect(codes(s)).toEqual([['TEAMS_FROM_PLAYERS', 'CNSWPL', 1]]);
    expect(s.tables.teams.inserted).toBe(2);
  });

  it("a league with no team list: a name its records' keys miss matches the database's active team", async () => {
    await importTeams(dataSource, {
      path: await feed({ 'series_stats.json': [stats('CNSWPL', 'Series 2', 'Birchwood 2')] }),
    });
    const s = await dryRun({
      'series_stats.json': [stats('NSTF', 'Series 1', 'Oakmere S1')],
      // No series: the record's own names give no key.
      'players.json': [player('CNSWPL', '', 'Birchwood 2')],
    });
    expect([s.rejected, s.tables.players.inserted]).toEqual([0, 1]);
    expect(s.tables.teams).toMatchObject({ inserted: 1, retired: 0 });
    expect(codes(s)).toEqual([['PLAYERS_MATCHED_IN_DATABASE', 'CNSWPL', 1]]);
  });

  it('the two team lists disagree about a team: series_stats wins, and a warning names both records', async () => {
    const s = await dryRun({
      'series_stats.json': [
        stats('NSTF', 'Series 1', 'Oakmere S1'),
        stats('NSTF', 'Series 1', 'Elmstead S1'),
      ],
      'schedules.json': [
        fixture('NSTF', 'Series 1', 'Oakmere S1 - Series 1', 'Elmstead S1 - Series 1'),
        fixture('NSTF', 'Series 2', 'Elmstead S1 - Series 2', 'Oakmere S1 - Series 2'),
      ],
    });
    // Two teams in one series: the schedule's second series is not created.
    expect(s.tables.teams.inserted).toBe(2);
    expect(s.tables.series.inserted).toBe(1);
    expect(s.tables.fixtures.inserted).toBe(2);
    expect(s.warnings).toEqual([
      expect.objectContaining({
        code: 'TEAM_LISTS_DISAGREE',
        file: 'schedules.json',
        league: 'NSTF',
        count: 2,
        sample: expect.stringMatching(
          /^"(Oakmere|Elmstead) S1": series_stats\.json record [01] places it in Series 1, schedules\.json record 1 in Series 2$/,
        ),
      }),
    ]);
  });

  it('bpetl import prints one line per warning, and --json carries them', async () => {
    const source = await feed({
      'series_stats.json': [stats('CNSWPL', 'Series 6', 'Frostvale Club 6')],
      'players.json': [player('CNSWPL', 'Series 1', 'Frostvale Club 6', 'Frostvale', { Captain: 'Maybe' })],
    });
    const text = await runCli(['import', source, '--dry-run', '--allow-shrink'], { DATABASE_URL: db.url });
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /^ {2}warning PLAYERS_MATCHED_BY_NAME \(players\.json\): 1 CNSWPL player records name a team the team lists do not hold under that name and series: matched by team name; e\.g\. record 0: "Frostvale Club 6" in "Series 1" → Frostvale Club 6 \(Series 6\)$/m,
    );
    expect(text.stdout).toMatch(
      /^ {2}warning VALUE_UNREADABLE \(players\.json\): 1 CNSWPL player records have a Captain that cannot be read: stored as null; e\.g\. record 0: Captain is "Maybe"$/m,
    );
    const json = await runCli(['import', source, '--dry-run', '--allow-shrink', '--json'], {
      DATABASE_URL: db.url,
    });
    const run = JSON.parse(json.stdout.slice(json.stdout.indexOf('{\n'))) as {
      stats: { import: ImportStats };
    };
    expect(run.stats.import.warnings.map((w) => w.code).sort()).toEqual([
      'PLAYERS_MATCHED_BY_NAME',
      'VALUE_UNREADABLE',
    ]);
  });
});
