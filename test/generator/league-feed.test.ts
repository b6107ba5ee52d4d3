import { describe, expect, it } from 'vitest';

import type { FixtureRecord, PracticeRecord } from '../../src/generator/index.ts';
import { isPractice, LEAGUE_CODES } from '../../src/generator/index.ts';
import { collectFeed } from './collect.ts';

const feed = collectFeed({ seed: 'quirks', teams: 300 });
const fixtures = feed.schedules.filter((r): r is FixtureRecord => !isPractice(r));
const practices = feed.schedules.filter((r): r is PracticeRecord => isPractice(r));
const stats = (league: string) => feed.seriesStats.filter((r) => r.league_id === league && !isBye(r.team));
const players = (league: string) => feed.players.filter((r) => r.source_league === league);
const isBye = (team: string) => team.startsWith('BYE') || team.startsWith(' - ');

describe('a generated feed of 300 teams', () => {
  it('holds the four leagues in the proportions of the real feeds', () => {
    const share = (league: string) =>
      feed.teams.filter((t) => t.league === league).length / feed.teams.length;
    expect(feed.teams).toHaveLength(300);
    expect(share('APTA_CHICAGO')).toBeCloseTo(0.55, 1);
    expect(share('CNSWPL')).toBeCloseTo(0.28, 1);
    expect(share('CITA')).toBeCloseTo(0.14, 1);
    expect(share('NSTF')).toBeGreaterThan(0.02);
    for (const league of LEAGUE_CODES) {
      expect(stats(league).length, league).toBeGreaterThan(0);
      expect(fixtures.some((r) => r.source_league === league)).toBe(true);
    }
  });

  it('spells APTA teams `Club - 22` in series `Chicago 22`, with `SW` series', () => {
    for (const r of stats('APTA_CHICAGO')) {
      const code = r.series.replace(/^Chicago /, '');
      expect(r.series).toMatch(/^Chicago \d+( SW)?$/);
      expect(r.team.endsWith(` - ${code}`), r.team).toBe(true);
    }
    expect(stats('APTA_CHICAGO').some((r) => / - \d+ SW$/.test(r.team))).toBe(true);
  });

  it('lists two APTA teams of one club in one series as `Club I` and `Club II`', () => {
    const first = stats('APTA_CHICAGO').find((r) => / I - /.test(r.team))!;
    expect(first).toBeDefined();
    const partner = first.team.replace(' I - ', ' II - ');
    expect(stats('APTA_CHICAGO').some((r) => r.team === partner && r.series === first.series)).toBe(true);
    const club = first.team.split(' - ')[0];
    expect(
      players('APTA_CHICAGO').some((p) => p.Club === club && p['Series Mapping ID'] === first.team),
    ).toBe(true);
  });

  it('has club names containing ` - `, in APTA and in CITA', () => {
    expect(stats('APTA_CHICAGO').some((r) => r.team.split(' - ').length === 3)).toBe(true);
    expect(stats('CITA').some((r) => r.team.includes(' - ') && !/ - \d$/.test(r.team))).toBe(true);
  });

  it('spells NSTF teams `Club S1`, schedules `Club S1 - Series 1`, and two teams of a club `S1 T1`/`S1 T2`', () => {
    const nstf = stats('NSTF');
    expect(nstf.some((r) => r.series === 'Series 1' && / S1$/.test(r.team))).toBe(true);
    expect(fixtures.some((r) => r.source_league === 'NSTF' && / S1 - Series 1$/.test(r.home_team))).toBe(
      true,
    );
    const t1 = nstf.find((r) => / S1 T1$/.test(r.team))!;
    expect(t1).toBeDefined();
    expect(nstf.some((r) => r.team === t1.team.replace(/T1$/, 'T2') && r.series === t1.series)).toBe(true);
    const club = t1.team.replace(/\s+S1 T1$/, '');
    const clubs = new Set(
      players('NSTF')
        .filter((p) => p['Series Mapping ID']!.startsWith(club + ' S1 T'))
        .map((p) => p.Club),
    );
    expect([...clubs]).toEqual([club]);
  });

  it('has NSTF Sunday series whose teams are `Club Sunday A` or the bare club', () => {
    const sunday = stats('NSTF').filter((r) => r.series === 'Series A');
    expect(sunday.some((r) => r.team.endsWith(' Sunday A'))).toBe(true);
    expect(sunday.some((r) => !r.team.includes('Sunday'))).toBe(true);
  });

  it('spells CNSWPL teams `Club 1` in `Series 1` while players say `Division 1`, with `1a`/`1b` and `B(1)`', () => {
    const cn = stats('CNSWPL');
    expect(cn.some((r) => r.series === 'Series 1' && / 1$/.test(r.team))).toBe(true);
    const a = cn.find((r) => / 1a$/.test(r.team))!;
    expect(cn.some((r) => r.team === a.team.replace(/a$/, 'b'))).toBe(true);
    expect(cn.some((r) => /[A-Z]\(1\)$/.test(r.team))).toBe(true);
    const p = players('CNSWPL').find((x) => x['Series Mapping ID'] === a.team)!;
    expect(p.Series).toBe('Division 1a');
    expect(p.Club).toBe(a.team);
    expect(players('CNSWPL').some((x) => x.Series === 'Division 1' && x.Club.endsWith(' 1'))).toBe(true);
    expect(fixtures.some((r) => r.source_league === 'CNSWPL' && / 1 - Series 1$/.test(r.home_team))).toBe(
      true,
    );
  });

  it('names CITA teams after their club, told apart by the series', () => {
    const cita = stats('CITA');
    expect(cita.some((r) => r.series === 'Series 4.5 & Under Fri')).toBe(true);
    const byClub = new Map<string, Set<string>>();
    for (const r of cita) byClub.set(r.team, (byClub.get(r.team) ?? new Set()).add(r.series));
    expect([...byClub.values()].some((s) => s.size > 1)).toBe(true);
    expect(
      fixtures.some(
        (r) =>
          r.source_league === 'CITA' && r.home_team.endsWith(' - 4.5 & Under Fri') && r.location === 'TBD',
      ),
    ).toBe(true);
    expect(cita.some((r) => / - [12]$/.test(r.team))).toBe(true);
  });

  it('lists some teams twice in series_stats', () => {
    const seen = new Map<string, number>();
    for (const r of feed.seriesStats) {
      const key = `${r.league_id}|${r.team}|${r.series}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    expect([...seen.values()].some((n) => n > 1)).toBe(true);
  });

  it('has double spaces in team names, in series_stats and in schedules', () => {
    expect(feed.seriesStats.some((r) => r.team.includes('  '))).toBe(true);
    expect(fixtures.some((r) => r.home_team.includes('  ') || r.away_team.includes('  '))).toBe(true);
    expect(feed.seriesStats.some((r) => r.league_id === 'NSTF' && / {2}S\d/.test(r.team))).toBe(true);
  });

  it('lists practices as {date, time, Practice, Series, source_league}, without League', () => {
    expect(practices.length).toBeGreaterThan(0);
    for (const p of practices) {
      expect(Object.keys(p)).toEqual(['date', 'time', 'Practice', 'Series', 'source_league']);
      expect(p.Series).toMatch(/^Chicago /);
    }
  });

  it('lists BYEs both as a `BYE - 9` team and as a blank team at location BYE', () => {
    expect(fixtures.some((r) => /^BYE - \d/.test(r.home_team))).toBe(true);
    expect(fixtures.some((r) => /^ - \d/.test(r.home_team) && r.location === 'BYE')).toBe(true);
    expect(feed.seriesStats.some((r) => /^BYE - \d/.test(r.team))).toBe(true);
  });

  it('has fixtures without a League key, and APTA fixtures with and without `series`', () => {
    expect(fixtures.some((r) => !('League' in r))).toBe(true);
    const apta = fixtures.filter((r) => r.source_league === 'APTA_CHICAGO');
    expect(apta.some((r) => 'series' in r)).toBe(true);
    expect(apta.some((r) => !('series' in r))).toBe(true);
    for (const r of fixtures.filter((f) => f.source_league !== 'APTA_CHICAGO')) {
      expect(r.series).toBeDefined();
    }
  });

  it('gives PTI as a number string or "N/A", counts as strings, captains as "", "C" or "CC"', () => {
    const pti = players('APTA_CHICAGO').map((p) => p.PTI);
    expect(pti.some((v) => /^\d+\.\d$/.test(v))).toBe(true);
    expect(pti).toContain('N/A');
    expect(players('CNSWPL').every((p) => p.PTI === 'N/A')).toBe(true);
    for (const p of feed.players) {
      expect(p.Wins).toMatch(/^\d+$/);
      expect(p.Losses).toMatch(/^\d+$/);
      expect(p['Win %']).toMatch(/^\d+\.\d%$/);
    }
    expect(new Set(feed.players.map((p) => p.Captain))).toEqual(new Set(['', 'C', 'CC']));
    expect(typeof feed.seriesStats[0].matches.won).toBe('number');
  });

  it('has about 12 players and 8 schedule rows per team, and players on more than one team', () => {
    expect(feed.players.length / feed.teams.length).toBeGreaterThan(10);
    expect(feed.players.length / feed.teams.length).toBeLessThan(14);
    expect(feed.schedules.length / feed.teams.length).toBeGreaterThan(6.5);
    expect(feed.schedules.length / feed.teams.length).toBeLessThan(9.5);
    const teamsOf = new Map<string, Set<string>>();
    for (const p of feed.players) {
      teamsOf.set(p['Player ID'], (teamsOf.get(p['Player ID']) ?? new Set()).add(p['Series Mapping ID']!));
    }
    expect([...teamsOf.values()].some((s) => s.size > 1)).toBe(true);
  });

  it('never repeats a fixture (league, date, home, away)', () => {
    const keys = fixtures.map((r) => `${r.source_league}|${r.date}|${r.home_team}|${r.away_team}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('uses its own `gen-` player ids, unique per team', () => {
    for (const p of feed.players) expect(p['Player ID']).toMatch(/^gen-[0-9a-z]{4}-[0-9a-z]+$/);
    const perTeam = feed.players.map((p) => `${p['Series Mapping ID']}|${p['Player ID']}`);
    expect(new Set(perTeam).size).toBe(perTeam.length);
  });

  it('keeps canonical keys (league, club, series) unique', () => {
    const keys = feed.teams.map((t) => `${t.league}|${t.club.toLowerCase()}|${t.series}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('spells League codes otherwise only when asked', () => {
    const leagueValues = (f: typeof feed) =>
      new Set([
        ...f.players.map((p) => p.League),
        ...f.schedules.map((r) => ('League' in r ? r.League : undefined)),
      ]);
    expect([...leagueValues(feed)].filter(Boolean).sort()).toEqual([...LEAGUE_CODES].sort());
    const messy = collectFeed({ seed: 'quirks', teams: 300, messyLeagueCodes: true });
    const values = leagueValues(messy);
    expect(values).toContain('aptachicago');
    expect(values).toContain('nsft');
    expect(messy.schedules.every((r) => LEAGUE_CODES.includes(r.source_league as never))).toBe(true);
    expect(messy.seriesStats.every((r) => LEAGUE_CODES.includes(r.league_id as never))).toBe(true);
  });

  it('rejects an unknown league and a fraction outside [0, 1]', () => {
    expect(() => collectFeed({ seed: 1, teams: 10, omitLeagues: ['XYZ' as never] })).toThrow(
      /unknown league XYZ/,
    );
    expect(() => collectFeed({ seed: 1, teams: 10, changeFraction: 2 })).toThrow(/changeFraction/);
    expect(() => collectFeed({ seed: 1, teams: -1 })).toThrow(/teams/);
  });
});
