import { describe, expect, it } from 'vitest';

import { collectFeed } from './collect.ts';

const seed = 'variants';
const teams = 600;
const base = collectFeed({ seed, teams });

describe('feed variants', () => {
  it('alternate-apta-spelling spells every APTA team `Club 20` in `Series 20`, all else unchanged', () => {
    const alt = collectFeed({ seed, teams, variant: 'alternate-apta-spelling' });
    expect(alt.teams).toHaveLength(base.teams.length);
    let apta = 0;
    for (const [i, team] of alt.teams.entries()) {
      const before = base.teams[i];
      expect(team.index).toBe(before.index);
      expect(team.club).toBe(before.club);
      if (team.league !== 'APTA_CHICAGO') {
        expect(team).toEqual(before);
        continue;
      }
      apta++;
      const code = before.series.replace(/^Chicago /, '');
      expect(team.series).toBe(`Series ${code}`);
      expect(team.teamName).toBe(before.teamName.replace(new RegExp(` - ${code}$`), ` ${code}`));
      expect(team.teamName).not.toContain(` - ${code}`);
      expect(team.scheduleName).toBe(`${team.teamName} - Series ${code}`);
    }
    expect(apta).toBeGreaterThan(300);
    const aptaStats = alt.seriesStats.filter((r) => r.league_id === 'APTA_CHICAGO');
    expect(aptaStats.every((r) => r.series.startsWith('Series '))).toBe(true);
    const aptaPlayers = alt.players.filter((p) => p.source_league === 'APTA_CHICAGO');
    expect(
      aptaPlayers.every(
        (p) => p.Series.startsWith('Series ') && !/ - \d+( SW)?$/.test(p['Series Mapping ID']!),
      ),
    ).toBe(true);
  });

  it('omitLeagues leaves whole leagues out and keeps every other team as it was', () => {
    const partial = collectFeed({ seed, teams, omitLeagues: ['NSTF', 'CITA'] });
    const kept = base.teams.filter((t) => t.league !== 'NSTF' && t.league !== 'CITA');
    expect(partial.teams).toEqual(kept);
    for (const r of partial.seriesStats) expect(['APTA_CHICAGO', 'CNSWPL']).toContain(r.league_id);
    for (const r of partial.schedules) expect(['APTA_CHICAGO', 'CNSWPL']).toContain(r.source_league);
    for (const r of partial.players) expect(['APTA_CHICAGO', 'CNSWPL']).toContain(r.source_league);
    expect(partial.players).toEqual(
      base.players.filter((p) => p.source_league === 'APTA_CHICAGO' || p.source_league === 'CNSWPL'),
    );
  });

  it('leagues keeps only the named leagues', () => {
    const only = collectFeed({ seed, teams, leagues: ['CITA'] });
    expect(only.teams).toEqual(base.teams.filter((t) => t.league === 'CITA'));
    expect(only.players).toHaveLength(0);
  });

  it('renameSeries renames one series and the teams that repeat its name, nothing else', () => {
    const renamed = collectFeed({ seed, teams, renameSeries: { from: 'Chicago 2', to: 'Chicago 102' } });
    const moved = base.teams.filter((t) => t.series === 'Chicago 2');
    expect(moved.length).toBeGreaterThan(3);
    for (const [i, team] of renamed.teams.entries()) {
      const before = base.teams[i];
      if (before.series !== 'Chicago 2') {
        expect(team).toEqual(before);
        continue;
      }
      expect(team.series).toBe('Chicago 102');
      expect(team.teamName).toBe(before.teamName.replace(/ - 2$/, ' - 102'));
      expect(team.club).toBe(before.club);
    }
    const text = JSON.stringify([renamed.seriesStats, renamed.schedules, renamed.players]);
    expect(text).not.toContain('"Chicago 2"');
    expect(renamed.players.some((p) => p.Series === 'Chicago 102')).toBe(true);
  });

  it('renameSeries can be limited to one league', () => {
    const renamed = collectFeed({
      seed,
      teams,
      renameSeries: [{ from: 'Series 1', to: 'Series 01', league: 'CNSWPL' }],
    });
    expect(
      renamed.teams.filter((t) => t.league === 'CNSWPL' && t.series === 'Series 01').length,
    ).toBeGreaterThan(0);
    expect(
      renamed.teams.filter((t) => t.league === 'NSTF' && t.series === 'Series 1').length,
    ).toBeGreaterThan(0);
  });

  it('changeFraction changes that fraction of teams, keeping their canonical key, and nothing else', () => {
    const changed = collectFeed({ seed, teams, changeFraction: 0.1 });
    const kinds = changed.teams.map((t) => t.change);
    expect(kinds.filter(Boolean)).toHaveLength(60);
    expect(kinds.filter((k) => k === 'alias').length).toBeGreaterThan(20);
    expect(kinds.filter((k) => k === 'roster').length).toBeGreaterThan(20);
    for (const [i, team] of changed.teams.entries()) {
      const before = base.teams[i];
      expect([team.league, team.club, team.series]).toEqual([before.league, before.club, before.series]);
      if (team.change === null) expect(team).toEqual({ ...before, change: null });
      if (team.change === 'alias') {
        expect(team.teamName).not.toBe(before.teamName);
        expect(team.teamName.toLowerCase()).toBe(before.teamName.toLowerCase());
      }
      if (team.change === 'roster') expect(team.teamName).toBe(before.teamName);
    }
    const idsOf = (f: typeof base, name: string) =>
      new Set(f.players.filter((p) => p['Series Mapping ID'] === name).map((p) => p['Player ID']));
    const roster = changed.teams.find((t) => t.change === 'roster' && t.players > 0)!;
    const newIds = idsOf(changed, roster.teamName);
    const oldIds = idsOf(base, roster.teamName);
    expect([...newIds].filter((id) => !oldIds.has(id)).length).toBeGreaterThan(0);
    const same = changed.teams.find((t) => t.change === null && t.players > 0)!;
    expect(idsOf(changed, same.teamName)).toEqual(idsOf(base, same.teamName));
  });

  it('gives the same teams for the same seed and size, and other teams for another seed', () => {
    expect(collectFeed({ seed, teams }).teams).toEqual(base.teams);
    const other = collectFeed({ seed: 'another', teams });
    expect(other.teams.map((t) => t.teamName)).not.toEqual(base.teams.map((t) => t.teamName));
  });
});
