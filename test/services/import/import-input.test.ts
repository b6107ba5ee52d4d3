import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDataSource } from '../../../src/db/data-source.ts';
import { AppError } from '../../../src/errors.ts';
import { importTeams } from '../../../src/services/import/import-teams.ts';
import { useTestDatabase } from '../../helpers/database.ts';

const db = useTestDatabase();
let dataSource: DataSource;
let dir: string;

const stats = (team: string, series: string, league = 'APTA_CHICAGO') => ({
  series,
  team,
  league_id: league,
  points: 10,
  matches: { won: 1, lost: 1, tied: 0 },
  lines: { won: 2, lost: 2, for: 4, ret: 0 },
  sets: { won: 3, lost: 3 },
  games: { won: 20, lost: 20 },
});

async function feed(name: string, files: Record<string, unknown>): Promise<string> {
  const target = path.join(dir, name);
  await mkdir(target, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    await writeFile(path.join(target, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return target;
}

const TEAMS = ['Tennaqua - 22', 'Valley Lo - 22', 'Glen Arden - 22', 'Exmere - 22', 'Lake Ashby - 22'];

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

async function tableCounts() {
  return db.query(
    `select (select count(*) from teams)::int as teams, (select count(*) from clubs)::int as clubs,
            (select count(*) from schedule)::int as schedule, (select count(*) from leagues)::int as leagues`,
  );
}

beforeAll(async () => {
  dataSource = await openDataSource(db.url, { poolSize: 3 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-input-'));
});
afterAll(async () => {
  await dataSource?.destroy();
});

describe('import input', () => {
  it('imports the valid records and reports each bad one with file, record, field and reason', async () => {
    const source = await feed('mixed', {
      'series_stats.json': [
        ...TEAMS.map((team) => stats(team, 'Chicago 22')),
        { ...stats('Broken - 22', 'Chicago 22'), points: 'many' },
        { ...stats('Nowhere - 22', 'Chicago 22'), league_id: 'MARS' },
        { ...stats('Long - 22', 'Chicago 22'), team: 'x'.repeat(500) },
        'not an object',
      ],
    });
    const result = await importTeams(dataSource, { path: source });
    expect(result.tables.teams.inserted).toBe(TEAMS.length);
    expect(result.rejected).toBe(4);
    expect(result.rejections.map((r) => [r.file, r.index, r.field])).toEqual([
      ['series_stats.json', 5, 'points'],
      ['series_stats.json', 6, 'league_id'],
      ['series_stats.json', 7, 'team'],
      ['series_stats.json', 8, ''],
    ]);
    expect(result.rejections.every((r) => r.reason.length > 0)).toBe(true);
  });

  it('malformed JSON fails naming file and position, and writes nothing', async () => {
    const before = await tableCounts();
    const source = await feed('malformed', {
      'series_stats.json': `[${JSON.stringify(stats('Winnetka - 22', 'Chicago 22'))},\n {"team": "oops",, }]`,
    });
    const err = await failure(importTeams(dataSource, { path: source }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/series_stats\.json: malformed JSON at line 2/);
    expect(await tableCounts()).toEqual(before);
  });

  it('a directory that is not a feed is SOURCE_UNREADABLE', async () => {
    const source = await feed('not-a-feed', { 'readme.txt': 'hello' });
    expect((await failure(importTeams(dataSource, { path: source }))).code).toBe('SOURCE_UNREADABLE');
  });

  it('a feed with no valid record at all fails and writes nothing', async () => {
    const before = await tableCounts();
    const source = await feed('all-bad', { 'series_stats.json': [{ nothing: 1 }, 42] });
    const err = await failure(importTeams(dataSource, { path: source }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('no valid records');
    expect(await tableCounts()).toEqual(before);
  });

  it('an unknown league in the leagues option is INVALID_INPUT', async () => {
    const source = await feed('mixed-again', { 'series_stats.json': [stats('Tennaqua - 22', 'Chicago 22')] });
    const err = await failure(importTeams(dataSource, { path: source, leagues: ['MARS'] }));
    expect(err.code).toBe('INVALID_INPUT');
  });

  it('the shrink guard stops a refresh that would retire over 25 % of a league; allowShrink lets it', async () => {
    const before = await db.query('select id, is_active from teams order by id');
    const source = await feed('shrunk', { 'series_stats.json': [stats(TEAMS[0]!, 'Chicago 22')] });
    const err = await failure(importTeams(dataSource, { path: source }));
    expect(err.code).toBe('SHRINK_GUARD');
    expect(err.details.leagues).toEqual([
      {
        league: 'APTA_CHICAGO',
        active: TEAMS.length,
        missing: TEAMS.length - 1,
        fraction: 0.8,
        teams: { before: TEAMS.length, after: 1 },
        players: null,
      },
    ]);
    expect(await db.query('select id, is_active from teams order by id')).toEqual(before);

    const planned = await importTeams(dataSource, { path: source, allowShrink: true, dryRun: true });
    expect(planned.tables.teams.retired).toBe(TEAMS.length - 1);
    expect(await db.query('select id, is_active from teams order by id')).toEqual(before);

    const done = await importTeams(dataSource, { path: source, allowShrink: true });
    expect(done.tables.teams.retired).toBe(TEAMS.length - 1);
    const after = await db.query<{ id: number; is_active: boolean }>(
      'select id, is_active from teams order by id',
    );
    expect(after.map((t) => t.id)).toEqual(before.map((t) => (t as { id: number }).id));
    expect(after.filter((t) => t.is_active)).toHaveLength(1);

    // Back in the feed: the same rows become active again, under their old ids.
    const back = await importTeams(dataSource, {
      path: await feed('back', { 'series_stats.json': TEAMS.map((team) => stats(team, 'Chicago 22')) }),
    });
    expect(back.tables.teams).toMatchObject({ inserted: 0, updated: TEAMS.length - 1, retired: 0 });
  });

  it('leaves other leagues and users’ practice rows alone', async () => {
    await db.query(
      `insert into schedule (league_id, match_date, home_team, away_team, home_team_id)
       select league_id, '2025-01-10', 'Tennaqua Practice - Chicago 22', '', id from teams limit 1`,
    );
    const practices = await db.query(`select * from schedule where away_team = '' order by id`);
    const source = await feed('nstf', {
      'series_stats.json': [stats('Birchwood S1', 'Series 1', 'NSTF')],
      'schedules.json': [
        {
          date: '01/10/2025',
          time: '06:30 pm',
          home_team: 'Birchwood S1 - Series 1',
          away_team: 'Elmstead S1 - Series 1',
          location: 'Birchwood',
          series: 'Series 1',
          League: 'NSTF',
        },
        { date: '01/10/2025', time: '07:00 pm', Practice: 'Birchwood', Series: 'Series 1', League: 'NSTF' },
      ],
    });
    const apta = await db.query(
      `select * from teams where league_id = (select id from leagues where league_id = 'APTA_CHICAGO') order by id`,
    );
    const result = await importTeams(dataSource, { path: source });
    expect(result.scope).toEqual(['NSTF']);
    expect(result.records.practices).toBe(1);
    expect(result.tables.fixtures.inserted).toBe(1);
    expect(await db.query(`select * from schedule where away_team = '' order by id`)).toEqual(practices);
    expect(
      await db.query(
        `select * from teams where league_id = (select id from leagues where league_id = 'APTA_CHICAGO') order by id`,
      ),
    ).toEqual(apta);
    const [fixture] = await db.query<{ home_team_id: number | null; away_team_id: number | null }>(
      `select home_team_id, away_team_id from schedule where away_team <> ''`,
    );
    expect(fixture!.home_team_id).not.toBeNull();
    expect(fixture!.away_team_id).not.toBeNull();
  });
});
