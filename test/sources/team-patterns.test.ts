import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { generateLeagueFeed } from '../../src/generator/index.ts';
import { TEAM_PATTERNS, tokenOf } from '../../src/sources/team-identity.ts';

// The NSTF and CNSWPL team-name rules are regular expressions per series token; names of printable
// ASCII are cut by a scan instead (compiling thousands of expressions cost more than the reading).
// The scan must give exactly the expression's answer.
describe('team-name patterns: the scan gives the regular expression’s cut', () => {
  const leagues = ['NSTF', 'CNSWPL'] as const;

  it.each(leagues)('%s: the generated feed’s team names', (league) => {
    let compared = 0;
    for (const team of generateLeagueFeed({ seed: 'patterns', teams: 4_000 }).teams()) {
      if (team.league !== league) continue;
      const token = tokenOf(league, team.series);
      for (const name of [team.teamName, team.scheduleName, team.club]) {
        expect(TEAM_PATTERNS[league].match(name, token), `${name} / ${token}`).toEqual(
          TEAM_PATTERNS[league].match(name, token, true),
        );
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  // Names built from the pieces the rules look for, in any order, case and spacing.
  const piece = fc.constantFrom(
    ' ',
    '  ',
    'S',
    's',
    'Sunday',
    'SUNDAY',
    'T',
    't',
    '1',
    '12',
    '1a',
    'A',
    'a',
    'b',
    'Z',
    '(',
    ')',
    ' (',
    '( 2 )',
    '(3)',
    'Elm',
    'Birch wood',
    'PC',
    '-',
    '.',
    'x',
    'T2',
    'S1',
    'ß',
    'İ',
    'é',
    '\u00a0',
  );
  const name = fc.array(piece, { minLength: 1, maxLength: 8 }).map((parts) => parts.join(''));
  const token = fc.constantFrom(
    '1',
    '12',
    'A',
    'a',
    '1a',
    '2B',
    'H',
    'SN',
    'S',
    'T1',
    '(1)',
    'é',
    'x.y',
    '1 2',
  );

  it.each(leagues)('%s: any name of those pieces', (league) => {
    fc.assert(
      fc.property(name, token, (team, t) => {
        expect(TEAM_PATTERNS[league].match(team, t)).toEqual(TEAM_PATTERNS[league].match(team, t, true));
      }),
      { numRuns: 20_000 },
    );
  });
});
