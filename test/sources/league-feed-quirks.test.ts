import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { openLeagueFeed } from '../../src/sources/index.ts';
import { collect, fixtureRow, playerRow, statsRow, tempDir, writeFeed } from './helpers.ts';

async function read(files: Record<string, unknown>, options = {}) {
  return collect(await openLeagueFeed(writeFeed(files), options));
}

describe('league feed quirks', () => {
  it('four leagues, four team-name styles', async () => {
    const { teams, rejections } = await read({
      'series_stats.json': [
        statsRow('APTA_CHICAGO', 'Chicago 22', 'Oakmere - 22'),
        statsRow('NSTF', 'Series 1', 'Oakmere S1'),
        statsRow('CNSWPL', 'Series 1', 'Oakmere 1'),
        statsRow('CITA', 'Series 4.5 & Under Fri', 'Oakmere Racquet Club'),
      ],
    });
    expect(rejections).toEqual([]);
    expect(teams.map((team) => [team.league, team.club, team.series])).toEqual([
      ['APTA_CHICAGO', 'Oakmere', 'Chicago 22'],
      ['NSTF', 'Oakmere', 'Series 1'],
      ['CNSWPL', 'Oakmere', 'Series 1'],
      ['CITA', 'Oakmere Racquet Club', 'Series 4.5 & Under Fri'],
    ]);
  });

  it('CITA teams named after the club are told apart by series', async () => {
    const { teams } = await read({
      'series_stats.json': [
        statsRow('CITA', 'Series 4.0 & Under Wed', 'Pine Hollow Racquet Club'),
        statsRow('CITA', 'Series 4.5 & Under Fri', 'Pine Hollow Racquet Club'),
      ],
      'schedules.json': [
        fixtureRow(
          'CITA',
          'Pine Hollow Racquet Club - 4.5 & Under Fri',
          'Lakeview - North - 4.5 & Under Fri',
          {
            series: 'Series 4.5 & Under Fri',
          },
        ),
      ],
    });
    expect(teams.map((team) => team.series)).toEqual([
      'Series 4.0 & Under Wed',
      'Series 4.5 & Under Fri',
      'Series 4.5 & Under Fri',
    ]);
    expect(teams[2].club).toBe('Lakeview - North');
  });

  it('the same (league, team) listed twice is kept once and counted as a duplicate', async () => {
    const { stats, teams, rejections, summary } = await read({
      'series_stats.json': [
        statsRow('CITA', 'Series Open Fri', 'Oakmere', { points: 5 }),
        statsRow('CITA', 'Series Open Fri', 'Oakmere', { points: 9 }),
      ],
    });
    expect(rejections).toEqual([]);
    expect(teams).toHaveLength(1);
    expect(stats.map((row) => row.points)).toEqual([5]);
    expect(summary.duplicates).toBe(1);
    expect(summary.files[0]).toMatchObject({ read: 2, duplicates: 1, rejected: 0 });
  });

  it('practice rows become practice records named `<Club> Practice - <Series>`, not fixtures', async () => {
    const { practices, fixtures, rejections } = await read({
      'series_stats.json': [statsRow('APTA_CHICAGO', 'Chicago 22', 'Oakmere - 22')],
      'schedules.json': [
        {
          date: '12/07/2024',
          time: '10:30 AM',
          Practice: 'Oakmere',
          Series: 'Chicago 22',
          source_league: 'APTA_CHICAGO',
        },
      ],
    });
    expect(rejections).toEqual([]);
    expect(fixtures).toEqual([]);
    expect(practices).toEqual([
      expect.objectContaining({
        league: 'APTA_CHICAGO',
        club: 'Oakmere',
        series: 'Chicago 22',
        practiceName: 'Oakmere Practice - Chicago 22',
        teamKey: 'APTA_CHICAGO:oakmere:chicago22',
        date: '2024-12-07',
        time: '10:30',
      }),
    ]);
  });

  it('rows with no league take source_league, then the league the directory is named after', async () => {
    const dir = join(tempDir(), 'nsft');
    mkdirSync(dir);
    writeFeed(
      {
        'series_stats.json': [
          { ...statsRow(undefined, 'Series 1', 'Oakmere S1'), source_league: 'NSTF' },
          statsRow(undefined, 'Series 2', 'Oakmere S2'),
        ],
      },
      dir,
    );
    const { teams, rejections } = await collect(await openLeagueFeed(dir));
    expect(rejections).toEqual([]);
    expect(teams.map((team) => team.league)).toEqual(['NSTF', 'NSTF']);
  });

  it('a row with no league at all in a directory that names none is rejected', async () => {
    const { rejections } = await read({
      'series_stats.json': [statsRow(undefined, 'Series 1', 'Oakmere S1')],
    });
    expect(rejections).toEqual([
      expect.objectContaining({
        file: 'series_stats.json',
        index: 0,
        field: 'league_id',
        reason: expect.stringMatching(/missing/),
      }),
    ]);
  });

  it('BYE sides (`BYE - 11`, an empty ` - 9 SW`, an empty string) have no team key', async () => {
    const { fixtures, teams, rejections } = await read({
      'schedules.json': [
        fixtureRow('APTA_CHICAGO', 'BYE - 11', 'Oakmere - 11'),
        fixtureRow('APTA_CHICAGO', ' - 9 SW', 'Pine Hollow - 9 SW', {
          series: 'Chicago 9 SW',
          location: 'BYE',
        }),
        fixtureRow('APTA_CHICAGO', '', 'Pine Hollow 9 SW - Series 9 SW', {
          series: 'Series 9 SW',
          location: 'BYE',
        }),
        fixtureRow('APTA_CHICAGO', '', '', { series: 'Series 9 SW', location: 'BYE' }),
      ],
    });
    expect(rejections.map((r) => [r.index, r.field, r.reason])).toEqual([
      [3, 'home_team', 'both sides of the fixture are byes'],
    ]);
    expect(fixtures.map((fixture) => [fixture.homeKey, fixture.awayKey, fixture.series])).toEqual([
      [null, 'APTA_CHICAGO:oakmere:chicago11', 'Chicago 11'],
      [null, 'APTA_CHICAGO:pinehollow:chicago9sw', 'Chicago 9 SW'],
      [null, 'APTA_CHICAGO:pinehollow:chicago9sw', 'Chicago 9 SW'],
    ]);
    expect(teams).toHaveLength(2);
  });

  it('double spaces do not make a second team', async () => {
    const { teams, stats, fixtures } = await read({
      'series_stats.json': [
        statsRow('NSTF', 'Series 1', 'Lake  View S1'),
        statsRow('NSTF', 'Series 1', 'Lake View S1'),
      ],
      'schedules.json': [
        fixtureRow('NSTF', 'Lake View  S1 - Series  1', 'Oakmere S1 - Series 1', { series: 'Series 1' }),
      ],
    });
    expect(teams.map((team) => team.teamName)).toEqual(['Lake View S1', 'Oakmere S1']);
    expect(stats).toHaveLength(1);
    expect(fixtures[0].homeKey).toBe(teams[0].canonicalKey);
  });

  it('club names that contain ` - ` survive the schedule suffix', async () => {
    const { fixtures } = await read({
      'schedules.json': [
        fixtureRow(
          'CITA',
          'Lakeview - North 2 - 3.0 - 3.5 Singles Thur',
          'Pine - Hollow - 3.0 - 3.5 Singles Thur',
          {
            series: 'Series 3.0 - 3.5 Singles Thur',
          },
        ),
      ],
    });
    expect(fixtures[0]).toMatchObject({
      homeTeamName: 'Lakeview - North 2',
      awayTeamName: 'Pine - Hollow',
      homeKey: 'CITA:lakeview-north2:series3.0-3.5singlesthur',
    });
  });

  it('PTI as a number, a numeric string or "N/A"; wins and losses as strings', async () => {
    const { players, rejections } = await read({
      'players.json': [
        playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', { PTI: 41.2, Wins: '7', Losses: '2' }),
        playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', { PTI: '38.5', Wins: 4, Losses: 0 }),
        playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere', {
          PTI: 'N/A',
          Wins: '',
          Losses: '0',
          Captain: 'CC',
        }),
      ],
    });
    expect(rejections).toEqual([]);
    expect(players.map((player) => [player.pti, player.wins, player.losses, player.captainRole])).toEqual([
      [41.2, 7, 2, null],
      [38.5, 4, 0, null],
      [null, 0, 0, 'co-captain'],
    ]);
  });

  it('dates MM/DD/YYYY and times like `09:00 am` / `10:30 AM` / empty', async () => {
    const { fixtures } = await read({
      'schedules.json': [
        fixtureRow('APTA_CHICAGO', 'Oakmere - 1', 'Pine - 1', { date: '01/09/2025', time: '09:00 am' }),
        fixtureRow('APTA_CHICAGO', 'Oakmere - 1', 'Pine - 1', { date: '1/16/2025', time: '10:30 AM' }),
        fixtureRow('APTA_CHICAGO', 'Oakmere - 1', 'Pine - 1', { date: '2025-01-23', time: '06:30 pm' }),
        fixtureRow('APTA_CHICAGO', 'Oakmere - 1', 'Pine - 1', { date: '01/30/2025', time: '12:00 am' }),
        fixtureRow('APTA_CHICAGO', 'Oakmere - 1', 'Pine - 1', { date: '02/06/2025', time: '' }),
      ],
    });
    expect(fixtures.map((fixture) => [fixture.date, fixture.time])).toEqual([
      ['2025-01-09', '09:00'],
      ['2025-01-16', '10:30'],
      ['2025-01-23', '18:30'],
      ['2025-01-30', '00:00'],
      ['2025-02-06', null],
    ]);
  });

  it('league codes in other spellings (`nsft`, `aptachicago`)', async () => {
    const { teams, rejections } = await read({
      'series_stats.json': [
        statsRow('nsft', 'Series 1', 'Oakmere S1'),
        statsRow('aptachicago', 'Chicago 3', 'Oakmere - 3'),
      ],
    });
    expect(rejections).toEqual([]);
    expect(teams.map((team) => team.league)).toEqual(['NSTF', 'APTA_CHICAGO']);
  });

  it('the same APTA team spelled two ways in one feed is one team', async () => {
    const { teams, fixtures, players } = await read({
      'series_stats.json': [statsRow('APTA_CHICAGO', 'Chicago 20', 'Oakmere - 20')],
      'players.json': [playerRow('APTA_CHICAGO', 'Series 20', 'Oakmere 20', 'Oakmere')],
      'schedules.json': [fixtureRow('APTA_CHICAGO', 'Oakmere 20', 'Pine - 20')],
    });
    expect(teams.map((team) => team.teamName)).toEqual(['Oakmere - 20', 'Pine - 20']);
    expect(players[0].teamKey).toBe(teams[0].canonicalKey);
    expect(fixtures[0].homeKey).toBe(teams[0].canonicalKey);
  });

  it('a partial feed (only schedules) is read; teams come from the fixtures', async () => {
    const { teams, fixtures, summary } = await read({
      'schedules.json': [
        fixtureRow('CNSWPL', 'Oakmere 1 - Series 1', 'Pine 1a - Series 1', { series: 'Series 1' }),
      ],
    });
    expect(fixtures).toHaveLength(1);
    expect(teams.map((team) => [team.club, team.source.file])).toEqual([
      ['Oakmere', 'schedules.json'],
      ['Pine a', 'schedules.json'],
    ]);
    expect(summary.files.map((file) => [file.file, file.present])).toEqual([
      ['series_stats.json', false],
      ['players.json', false],
      ['schedules.json', true],
    ]);
  });

  it('the leagues option keeps only those leagues and reports only them as in scope', async () => {
    const { teams, summary } = await read(
      {
        'series_stats.json': [
          statsRow('NSTF', 'Series 1', 'Oakmere S1'),
          statsRow('CITA', 'Series Open Fri', 'Oakmere'),
          statsRow('APTA_CHICAGO', 'Chicago 1', 'Oakmere - 1'),
        ],
      },
      { leagues: ['nsft', 'apta chicago'] },
    );
    expect(teams.map((team) => team.league)).toEqual(['NSTF', 'APTA_CHICAGO']);
    expect(summary.leagues).toEqual(['APTA_CHICAGO', 'NSTF']);
    expect(summary.files[0].skipped).toBe(1);
  });

  it('duplicate players and fixtures are dropped and counted', async () => {
    const player = playerRow('NSTF', 'Series 1', 'Oakmere S1', 'Oakmere');
    const fixture = fixtureRow('NSTF', 'Oakmere S1 - Series 1', 'Pine S1 - Series 1', { series: 'Series 1' });
    const { players, fixtures, summary } = await read({
      'players.json': [player, player],
      'schedules.json': [fixture, { ...fixture, time: '07:00 pm' }],
    });
    expect(players).toHaveLength(1);
    expect(fixtures).toHaveLength(1);
    expect(summary.duplicates).toBe(2);
  });
});
