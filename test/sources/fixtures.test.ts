import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { openLeagueFeed } from '../../src/sources/index.ts';
import { normaliseName } from '../../src/sources/normalise.ts';
import { collect, type Collected, FIXTURES } from './helpers.ts';

const expected = {
  '2025-06-21': {
    statsRows: 986,
    distinctLeagueTeam: 874,
    teams: 969,
    schedules: 3966,
    fixtures: 3947,
    practices: 19,
  },
  '2025-06-30': {
    statsRows: 978,
    distinctLeagueTeam: 866,
    teams: 961,
    schedules: 7343,
    fixtures: 7343,
    practices: 0,
  },
} as const;

interface StatsRow {
  league_id: string;
  series: string;
  team: string;
}

const results = new Map<string, Collected>();

beforeAll(async () => {
  for (const snapshot of Object.keys(expected)) {
    results.set(snapshot, await collect(await openLeagueFeed(join(FIXTURES, snapshot))));
  }
});

describe.each(Object.entries(expected))('real feed %s', (snapshot, numbers) => {
  const result = () => results.get(snapshot)!;

  it('parses with no rejection', () => {
    expect(result().rejections).toEqual([]);
    expect(result().summary.rejections).toBe(0);
  });

  it('reads every row and gives the counts FIXTURES.md gives', () => {
    const { summary, stats, teams, players, fixtures, practices } = result();
    const files = Object.fromEntries(summary.files.map((file) => [file.file, file]));
    expect(files['series_stats.json'].read).toBe(numbers.statsRows);
    expect(files['players.json'].read).toBe(10_299);
    expect(files['schedules.json'].read).toBe(numbers.schedules);
    expect(players).toHaveLength(10_299);
    expect(fixtures).toHaveLength(numbers.fixtures);
    expect(practices).toHaveLength(numbers.practices);
    expect(fixtures.length + practices.length).toBe(numbers.schedules);
    // One team per (league, series, team): CITA lists some (league, team) pairs in several series.
    expect(teams).toHaveLength(numbers.teams);
    expect(stats).toHaveLength(numbers.teams);
    // FIXTURES.md counts raw spellings; one CITA team spelled with a double space is the same name once normalised.
    const raw = JSON.parse(readFileSync(join(FIXTURES, snapshot, 'series_stats.json'), 'utf8')) as StatsRow[];
    expect(new Set(raw.map((row) => `${row.league_id}|${row.team}`)).size).toBe(numbers.distinctLeagueTeam);
    expect(new Set(teams.map((team) => `${team.league}|${team.teamAlias ?? team.teamName}`)).size).toBe(
      numbers.distinctLeagueTeam - 1,
    );
  });

  it('drops the repeated (league, series, team) records as duplicates, not rejections', () => {
    const stats = result().summary.files.find((file) => file.file === 'series_stats.json')!;
    expect(stats.duplicates).toBe(numbers.statsRows - numbers.teams);
    expect(result().summary.duplicates).toBe(17);
  });

  it('gives every distinct team its own (league, club, series) key', () => {
    const raw = JSON.parse(readFileSync(join(FIXTURES, snapshot, 'series_stats.json'), 'utf8')) as StatsRow[];
    const distinctTeams = new Set(
      raw.map((row) => `${row.league_id}|${normaliseName(row.series)}|${normaliseName(row.team)}`),
    );
    const keys = new Set(result().teams.map((team) => team.canonicalKey));
    expect(keys.size).toBe(distinctTeams.size);
    const triples = new Set(
      result().teams.map((team) => `${team.league}|${team.club.toLowerCase()}|${team.series.toLowerCase()}`),
    );
    expect(triples.size).toBe(keys.size);
  });

  it('resolves every player, fixture side and practice to a team of the same feed', () => {
    const { teams, players, fixtures, practices } = result();
    const keys = new Set(teams.map((team) => team.canonicalKey));
    expect(teams.every((team) => team.source.file === 'series_stats.json')).toBe(true);
    expect(players.filter((player) => !player.teamKey || !keys.has(player.teamKey))).toEqual([]);
    expect(practices.filter((practice) => !keys.has(practice.teamKey))).toEqual([]);
    const sides = fixtures
      .flatMap((fixture) => [fixture.homeKey, fixture.awayKey])
      .filter((key) => key !== null);
    expect(sides.filter((key) => !keys.has(key))).toEqual([]);
  });

  it('finds all four leagues', () => {
    expect(result().summary.leagues).toEqual(['APTA_CHICAGO', 'CITA', 'CNSWPL', 'NSTF']);
  });
});

describe('the two snapshots as a refresh', () => {
  // Raw (league, series, team) triples: 135 vanish and 127 appear, mostly APTA series renamed from
  // `Series 11 SW` to `Chicago 11 SW`. Canonical keys see through the renaming: 8 APTA teams are gone.
  it('keeps the key of every renamed team; only 8 APTA teams are really gone', () => {
    const keys = (snapshot: string) => new Set(results.get(snapshot)!.teams.map((team) => team.canonicalKey));
    const before = keys('2025-06-21');
    const after = keys('2025-06-30');
    const gone = [...before].filter((key) => !after.has(key));
    const added = [...after].filter((key) => !before.has(key));
    expect(gone.every((key) => key.startsWith('APTA_CHICAGO:'))).toBe(true);
    expect(added.every((key) => key.startsWith('APTA_CHICAGO:'))).toBe(true);
    expect({ gone: gone.length, added: added.length }).toEqual({ gone: 8, added: 0 });
  });
});
