import { describe, expect, it } from 'vitest';

import type { SourceItem } from '../../src/sources/records.ts';
import { SourceState } from '../../src/sources/source-state.ts';
import { type TeamIdentity, teamIdentity } from '../../src/sources/team-identity.ts';

function identity(team: string, series = 'Series 1'): TeamIdentity {
  const result = teamIdentity({ league: 'CITA', series, team });
  if (!result.ok) throw new Error(result.reason);
  return result.identity;
}
const source = { file: 'series_stats.json', index: 0 };

describe('SourceState', () => {
  it('keeps leagues in the filter only, in any spelling, and refuses an unknown one', () => {
    const all = new SourceState('league-feed', '/feed', {});
    expect(all.inScope('CITA')).toBe(true);
    expect(new SourceState('league-feed', '/feed', { leagues: [] }).inScope('NSTF')).toBe(true);
    const some = new SourceState('league-feed', '/feed', { leagues: ['nsft', 'apta'] });
    expect([some.inScope('NSTF'), some.inScope('APTA_CHICAGO'), some.inScope('CITA')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(() => new SourceState('league-feed', '/feed', { leagues: ['NSTF', 'NBA'] })).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        message: expect.stringMatching(/^unknown league "NBA" in the leagues option/),
      }),
    );
  });

  it('takes the longest string from the options, 200 by default', () => {
    expect(new SourceState('league-feed', '/feed', {}).maxLength).toBe(200);
    expect(new SourceState('league-feed', '/feed', { maxStringLength: 50 }).maxLength).toBe(50);
  });

  it('sees a key once per namespace and counts repeats as duplicates of the file they are in', () => {
    const state = new SourceState('league-feed', '/feed', {});
    const a = state.file('a.json', true);
    const b = state.file('b.json', false);
    expect(state.firstTime('stats', 'k', a)).toBe(true);
    expect(state.firstTime('stats', 'k', b)).toBe(false);
    expect(state.firstTime('stats', 'k', b)).toBe(false);
    expect(state.firstTime('player', 'k', a)).toBe(true);
    expect(state.firstTime('stats', 'other', a)).toBe(true);
    expect([a.duplicates, b.duplicates]).toEqual([0, 2]);
    expect(state.summary().duplicates).toBe(2);
    expect(state.summaryFiles().get('b.json')).toBe(b);
    expect(state.summary().files).toEqual([
      { file: 'a.json', present: true, read: 0, rejected: 0, duplicates: 0, skipped: 0 },
      { file: 'b.json', present: false, read: 0, rejected: 0, duplicates: 2, skipped: 0 },
    ]);
  });

  it('passes every repeat when records are not de-duplicated', () => {
    const state = new SourceState('league-feed', '/feed', { dedupeRecords: false });
    const a = state.file('a.json', true);
    expect([state.firstTime('stats', 'k', a), state.firstTime('stats', 'k', a)]).toEqual([true, true]);
    expect(a.duplicates).toBe(0);
  });

  it('emits a team once, and again when a team list names a team only a players file had named', () => {
    const state = new SourceState('league-feed', '/feed', {});
    const oak = identity('Oak');
    const fromPlayers = state.newTeam(oak, source, false);
    expect(fromPlayers).toEqual({
      kind: 'team',
      record: {
        league: 'CITA',
        club: oak.clubName,
        series: oak.seriesName,
        seriesDisplay: oak.seriesDisplayName,
        teamName: oak.teamName,
        teamAlias: oak.teamAlias,
        canonicalKey: oak.canonicalKey,
        listed: false,
        source,
      },
    });
    expect(state.newTeam(oak, source, false)).toBeNull();
    expect(state.newTeam(oak, source)).toMatchObject({ kind: 'team', record: { listed: true } });
    expect(state.newTeam(oak, source)).toBeNull();
    expect(state.newTeam(oak, source, false)).toBeNull();
    const elm = identity('Elm');
    expect(state.newTeam(elm, source)).toMatchObject({ record: { listed: true } });
    expect(state.newTeam(elm, source, false)).toBeNull();
  });

  it('without de-duplication, remembers the last 50,000 teams only', () => {
    const state = new SourceState('league-feed', '/feed', { dedupeRecords: false });
    const first = identity('Team 0');
    expect(state.newTeam(first, source)).not.toBeNull();
    for (let i = 1; i < 50_000; i++) state.newTeam({ ...first, canonicalKey: `k${i}` }, source);
    expect(state.newTeam(first, source)).toBeNull();
    // The 50,001st team makes room by forgetting the others.
    expect(state.newTeam({ ...first, canonicalKey: 'k50000' }, source)).not.toBeNull();
    expect(state.newTeam(first, source)).not.toBeNull();
  });

  it('counts records by kind, rejections apart, and the leagues that had a record', () => {
    const state = new SourceState('teams-file', '/teams.csv', {});
    const team = state.newTeam(identity('Oak'), source)!;
    state.count(team);
    state.count(team);
    state.count({ kind: 'stats', record: { league: 'NSTF' } } as SourceItem);
    state.count({ kind: 'rejection', rejection: { file: 'f', index: 0, field: '', reason: 'r', value: '' } });
    expect(state.summary()).toEqual({
      kind: 'teams-file',
      path: '/teams.csv',
      files: [],
      leagues: ['CITA', 'NSTF'],
      counts: { team: 2, stats: 1, player: 0, fixture: 0, practice: 0 },
      rejections: 1,
      duplicates: 0,
      warnings: [],
    });
  });
});
