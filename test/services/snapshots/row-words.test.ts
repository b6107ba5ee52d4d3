import { describe, expect, it } from 'vitest';

import type { ProtectedReference } from '../../../src/services/protection/spec.ts';
import {
  REASONS,
  repointedWords,
  rowWords,
  subjectWords,
  targetWords,
} from '../../../src/services/snapshots/row-words.ts';

const ref = (over: Partial<ProtectedReference>): ProtectedReference => ({
  name: 'polls.team_id',
  dataType: 'polls',
  sourceTable: 'polls',
  sourceColumn: 'team_id',
  targetTable: 'teams',
  targetColumn: 'id',
  nullable: true,
  rematch: 'team',
  rowFilter: null,
  origin: 'BUILT_IN',
  onDelete: null,
  ...over,
});

describe('rows and their targets in words', () => {
  it('names a user row by its table’s singular noun, a table added later too', () => {
    expect(rowWords('polls', 11)).toEqual({ row: 'poll 11', link: 'of' });
    expect(rowWords('schedule', 4).row).toBe('practice time 4');
    expect(rowWords('player_availability', 9).row).toBe('availability entry 9');
    expect(rowWords('match_notes', 3).row).toBe('match note 3');
    expect(rowWords('court_series', 3).row).toBe('court series 3');
    expect(rowWords('team_diaries', 2).row).toBe('team diary 2');
  });

  it('names a target by its natural key', () => {
    expect(targetWords('team', { team_name: 'Alpha - 22', league: 'LEAGUE_A' })).toBe(
      'team Alpha - 22 (LEAGUE_A)',
    );
    expect(targetWords('team', { club: 'Alpha', series: 'Series 3', league: 'LEAGUE_A' })).toBe(
      'team of Alpha in Series 3 (LEAGUE_A)',
    );
    expect(
      targetWords('player', {
        first_name: 'Ann',
        last_name: 'Example',
        external_id: 'x-1',
        league: 'LEAGUE_A',
      }),
    ).toBe('player Ann Example (x-1, LEAGUE_A)');
    expect(targetWords('series', { series: 'Series 3', league: 'LEAGUE_A' })).toBe(
      'series Series 3 (LEAGUE_A)',
    );
    expect(targetWords('external_player', { external_id: 'x-1' })).toBe('player id x-1');
    expect(targetWords('team', {})).toBeNull();
  });

  it('says the row, its old team and the reason in one line', () => {
    const polls = ref({});
    const subject = subjectWords(polls, 11, { team_name: 'Alpha - 22', league: 'LEAGUE_A' }, '7');
    expect(`${subject}: ${REASONS.NO_MATCH(polls.rematch)}; kept and flagged`).toBe(
      'poll 11 of team Alpha - 22 (LEAGUE_A): no team with that club and series now; kept and flagged',
    );
    expect(REASONS.AMBIGUOUS('team')).toBe('several teams fit it, so none is guessed');
    expect(REASONS.AMBIGUOUS('series')).toBe('several series fit it, so none is guessed');
    expect(REASONS.NO_MATCH('player')).toBe('no player with that id, club and series now');
    // Nothing recorded what it pointed at: the raw value, said so.
    expect(subjectWords(polls, 12, {}, '7')).toBe('poll 12 of teams 7, of which nothing is recorded');
    expect(subjectWords(ref({ sourceTable: 'user_contexts' }), 5, { team_name: 'B', league: 'L' }, '7')).toBe(
      'current team choice of user 5, team B (L)',
    );
  });

  it('says how a row was re-pointed, in the conditional for a dry run', () => {
    expect(repointedWords('team Alpha - 22 (LEAGUE_A), id 45', 'natural_key', false)).toBe(
      're-pointed to team Alpha - 22 (LEAGUE_A), id 45 (matched on the same league, club and series)',
    );
    expect(repointedWords('team A (L), id 4', 'successor', true)).toBe(
      'would be re-pointed to team A (L), id 4 (matched on the one active team of that club with its name (the old one was retired))',
    );
    expect(repointedWords('team A (L), id 4', 'natural_key', false, 3)).toBe(
      'put back, with the 2 row(s) deleted with it, on team A (L), id 4 (matched on the same league, club and series)',
    );
  });
});
