import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  comparisonKey,
  KNOWN_LEAGUES,
  type LeagueCode,
  normaliseLeagueCode,
  normaliseName,
  type TeamIdentity,
  teamIdentity,
} from '../../src/sources/normalise.ts';
import { splitScheduleTeam } from '../../src/sources/schedule-names.ts';

function identity(league: LeagueCode, series: string, team: string, club?: string): TeamIdentity {
  const result = teamIdentity({ league, series, team, club });
  if (!result.ok) throw new Error(`no identity for ${team}: ${result.reason}`);
  return result.identity;
}

describe('normaliseLeagueCode', () => {
  it.each([
    ['nsft', 'NSTF'],
    ['NSTF', 'NSTF'],
    ['aptachicago', 'APTA_CHICAGO'],
    ['apta chicago', 'APTA_CHICAGO'],
    ['APTA-CHICAGO', 'APTA_CHICAGO'],
    ['APTA_CHICAGO', 'APTA_CHICAGO'],
    ['cnswpl', 'CNSWPL'],
    ['cita', 'CITA'],
    [' Cita ', 'CITA'],
  ])('%s → %s', (input, code) => {
    expect(normaliseLeagueCode(input)).toBe(code);
  });

  it.each(['', 'APTA_BOSTON', 'XYZ', '___'])('unknown code %j → null', (input) => {
    expect(normaliseLeagueCode(input)).toBeNull();
  });

  it('is null for non-strings', () => {
    expect(normaliseLeagueCode(undefined)).toBeNull();
    expect(normaliseLeagueCode(42)).toBeNull();
  });

  it('knows a display name for every league', () => {
    for (const [code, info] of Object.entries(KNOWN_LEAGUES)) {
      expect(info.code).toBe(code);
      expect(info.displayName.length).toBeGreaterThan(0);
    }
  });
});

describe('normaliseName', () => {
  it('trims, collapses double spaces and turns tabs and line breaks into spaces', () => {
    expect(normaliseName('  Lake  Ashby \t S1\r\n')).toBe('Lake Ashby S1');
  });

  it('drops control and zero-width characters', () => {
    expect(normaliseName('Oak\u0000mere\u200B Club\u0007')).toBe('Oakmere Club');
  });

  it('composes Unicode so that equal-looking names are equal', () => {
    expect(normaliseName('Cafe\u0301')).toBe('Caf\u00e9');
  });

  it('turns anything that is not text into a string or nothing', () => {
    expect(normaliseName(12)).toBe('12');
    expect(normaliseName(null)).toBe('');
    expect(normaliseName({ toString: () => 'x' })).toBe('');
  });

  it('never throws and is idempotent, for any string', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme-composite' }), fc.anything()),
        (value) => {
          const once = normaliseName(value);
          expect(normaliseName(once)).toBe(once);
          expect(once).toBe(once.trim());
          expect(once).not.toMatch(/\s{2}|[\t\n\r]/);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('compares club names case- and space-insensitively', () => {
    expect(comparisonKey('Collegiate Park  - East')).toBe(comparisonKey('collegiate park - EAST'));
  });
});

describe('teamIdentity, per league', () => {
  it('APTA: club and series from `Club - N`, series `Chicago N`', () => {
    expect(identity('APTA_CHICAGO', 'Chicago 22', 'Tennaqua - 22')).toMatchObject({
      clubName: 'Tennaqua',
      seriesName: 'Chicago 22',
      teamName: 'Tennaqua - 22',
      teamAlias: null,
    });
  });

  it('APTA: `Valley Lo 20` in `Series 20` is the same team as `Valley Lo - 20` in `Chicago 20`', () => {
    const canonical = identity('APTA_CHICAGO', 'Chicago 20', 'Valley Lo - 20');
    const other = identity('APTA_CHICAGO', 'Series 20', 'Valley Lo 20');
    expect(other.canonicalKey).toBe(canonical.canonicalKey);
    expect(other).toMatchObject({
      clubName: 'Valley Lo',
      seriesName: 'Chicago 20',
      seriesDisplayName: 'Series 20',
      teamName: 'Valley Lo - 20',
      teamAlias: 'Valley Lo 20',
    });
  });

  it('APTA: the SW suffix stays part of the series, whichever word the series starts with', () => {
    const a = identity('APTA_CHICAGO', 'Series 25 SW', 'Meadowlark - 25 SW');
    const b = identity('APTA_CHICAGO', 'Chicago 25 SW', 'Meadowlark - 25 SW');
    expect(a.seriesName).toBe('Chicago 25 SW');
    expect(a.canonicalKey).toBe(b.canonicalKey);
  });

  it('APTA: the team name wins over a garbled series (`Chicago Chicago`) and a club containing ` - `', () => {
    expect(identity('APTA_CHICAGO', 'Chicago Chicago', 'Midvale - Chicago - 4', 'Midvale')).toMatchObject({
      clubName: 'Midvale - Chicago',
      seriesName: 'Chicago 4',
    });
  });

  it('APTA: several teams of a club in one series carry their letter in the club', () => {
    const e = identity('APTA_CHICAGO', 'Chicago 99', 'Oakmere 99 E');
    const f = identity('APTA_CHICAGO', 'Chicago 99', 'Oakmere 99 F');
    expect(e.clubName).toBe('Oakmere E');
    expect(e.canonicalKey).not.toBe(f.canonicalKey);
  });

  it('APTA: a team name without a number takes the series from the series field', () => {
    expect(identity('APTA_CHICAGO', 'Series Legends', 'Legends')).toMatchObject({
      clubName: 'Legends',
      seriesName: 'Chicago Legends',
    });
  });

  it('NSTF: `Birchwood S1` in `Series 1`, and two teams of one club in one series stay apart', () => {
    expect(identity('NSTF', 'Series 1', 'Birchwood S1')).toMatchObject({
      clubName: 'Birchwood',
      seriesName: 'Series 1',
    });
    const t1 = identity('NSTF', 'Series 1', 'Elmstead S1 T1', 'Elmstead');
    const t2 = identity('NSTF', 'Series 1', 'Elmstead S1 T2', 'Elmstead');
    expect(t1.clubName).toBe('Elmstead T1');
    expect(t2.clubName).toBe('Elmstead T2');
    expect(t1.canonicalKey).not.toBe(t2.canonicalKey);
  });

  it('NSTF: Sunday teams and teams named only by their club', () => {
    expect(identity('NSTF', 'Series A', 'Oakmere Sunday A').clubName).toBe('Oakmere');
    expect(identity('NSTF', 'Series A', 'Middlebrook').clubName).toBe('Middlebrook');
  });

  it('NSTF: double spaces in a team name do not make another team', () => {
    expect(identity('NSTF', 'Series 1', 'Lake Ashby  S1').canonicalKey).toBe(
      identity('NSTF', 'Series 1', 'Lake Ashby S1').canonicalKey,
    );
  });

  it('CNSWPL: `Birchwood 1` in `Series 1` is the players file`s `Division 1` / club `Birchwood 1`', () => {
    const stats = identity('CNSWPL', 'Series 1', 'Birchwood 1');
    const players = identity('CNSWPL', 'Division 1', 'Birchwood 1', 'Birchwood 1');
    expect(stats).toMatchObject({ clubName: 'Birchwood', seriesName: 'Series 1' });
    expect(players.canonicalKey).toBe(stats.canonicalKey);
  });

  it('CNSWPL: letter suffixes (`1a`, `B(1)`, `H (1)`) become club markers', () => {
    const a = identity('CNSWPL', 'Series 1', 'Harrowgate PC 1a');
    const b = identity('CNSWPL', 'Division 1b', 'Harrowgate PC 1b');
    expect(a).toMatchObject({ clubName: 'Harrowgate PC a', seriesName: 'Series 1' });
    expect(b).toMatchObject({ clubName: 'Harrowgate PC b', seriesName: 'Series 1' });
    expect(identity('CNSWPL', 'Series H', 'Oakmere H (1)')).toMatchObject({
      clubName: 'Oakmere (1)',
      teamName: 'Oakmere H(1)',
      teamAlias: 'Oakmere H (1)',
    });
    expect(identity('CNSWPL', 'Series H', 'Oakmere H(1)').canonicalKey).toBe(
      identity('CNSWPL', 'Series H', 'Oakmere H (1)').canonicalKey,
    );
  });

  it('CITA: the team is the club, the series tells teams apart, clubs may contain ` - `', () => {
    const fri = identity('CITA', 'Series 4.5 & Under Fri', 'North Shore Racquet Club');
    const sat = identity('CITA', 'Series 4.5 & Under Sat', 'North Shore Racquet Club');
    expect(fri).toMatchObject({ clubName: 'North Shore Racquet Club', seriesName: 'Series 4.5 & Under Fri' });
    expect(fri.canonicalKey).not.toBe(sat.canonicalKey);
    expect(identity('CITA', 'Series Open Fri', 'Lifecourt - Libertyville').clubName).toBe(
      'Lifecourt - Libertyville',
    );
  });

  it('names what is missing', () => {
    expect(teamIdentity({ league: 'CITA', series: '', team: 'Oakmere' })).toMatchObject({
      ok: false,
      field: 'series',
    });
    expect(teamIdentity({ league: 'NSTF', series: 'Series 1', team: '  ' })).toMatchObject({
      ok: false,
      field: 'team',
    });
    expect(teamIdentity({ league: 'APTA_CHICAGO', series: '', team: 'Oakmere' })).toMatchObject({
      ok: false,
    });
  });

  it('keys never mix up parts that contain the separator', () => {
    const a = identity('CITA', 'Series x', 'a:b');
    const b = identity('CITA', 'Series b:x', 'a');
    expect(a.canonicalKey).not.toBe(b.canonicalKey);
  });
});

describe('schedule names', () => {
  it.each([
    ['NSTF', 'Birchwood S1 - Series 1', 'Series 1', 'Birchwood S1'],
    ['CNSWPL', 'Winnetka 1 - Series 1', 'Series 1', 'Winnetka 1'],
    [
      'CITA',
      'North Shore Racquet Club - 4.5 & Under Fri',
      'Series 4.5 & Under Fri',
      'North Shore Racquet Club',
    ],
    ['CITA', 'Oakmere - 2 - 3.0 - 3.5 Singles Thur', 'Series 3.0 - 3.5 Singles Thur', 'Oakmere - 2'],
    ['APTA_CHICAGO', 'Tennaqua - 22', '', 'Tennaqua - 22'],
    ['APTA_CHICAGO', 'Oakmere 99 A - 99', 'Chicago 99', 'Oakmere 99 A'],
    ['APTA_CHICAGO', 'Legends - Legends', 'Series Legends', 'Legends'],
    ['NSTF', 'Birchwood S1 - Series 1', '', 'Birchwood S1'],
  ] as const)('%s %j → %j', (league, name, series, team) => {
    expect(splitScheduleTeam(league, name, series)).toMatchObject({ bye: false, team });
  });

  it.each(['BYE - 11', 'bye', ' - 9 SW', ''])('%j is a bye', (name) => {
    expect(splitScheduleTeam('APTA_CHICAGO', name, 'Chicago 9 SW')).toEqual({ bye: true });
  });
});

describe('properties', () => {
  const clubWord = fc.stringMatching(/^[A-Z][a-z]{1,10}$/);
  const club = fc
    .tuple(clubWord, fc.option(clubWord, { nil: undefined }), fc.constantFrom('', ' CC', ' PD', ' - East'))
    .map(([a, b, suffix]) => `${a}${b ? ` ${b}` : ''}${suffix}`);
  const seriesNumber = fc
    .tuple(fc.integer({ min: 1, max: 60 }), fc.boolean())
    .map(([n, sw]) => `${n}${sw ? ' SW' : ''}`);

  it('APTA: both spellings of any club and series number give one key, club and series', () => {
    fc.assert(
      fc.property(club, seriesNumber, fc.constantFrom(' ', '  '), (name, number, gap) => {
        const canonical = identity('APTA_CHICAGO', `Chicago ${number}`, `${name} - ${number}`);
        const other = identity('APTA_CHICAGO', `Series${gap}${number}`, `${name}${gap}${number}`);
        expect(other.canonicalKey).toBe(canonical.canonicalKey);
        expect(other.clubName).toBe(canonical.clubName);
        expect(other.seriesName).toBe(`Chicago ${number}`);
        expect(canonical.clubName).toBe(name);
      }),
      { numRuns: 1000 },
    );
  });

  it('teamIdentity never throws and is stable under re-normalising its own output', () => {
    const league = fc.constantFrom<LeagueCode>('APTA_CHICAGO', 'NSTF', 'CNSWPL', 'CITA');
    fc.assert(
      fc.property(
        league,
        fc.string(),
        fc.string(),
        fc.option(fc.string(), { nil: undefined }),
        (lg, series, team, clubName) => {
          const result = teamIdentity({ league: lg, series, team, club: clubName });
          if (!result.ok) return;
          const again = teamIdentity({
            league: lg,
            series: result.identity.seriesName,
            team: result.identity.teamName,
          });
          expect(again.ok && again.identity.canonicalKey).toBe(result.identity.canonicalKey);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
