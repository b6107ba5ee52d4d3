import { describe, expect, it } from 'vitest';

import {
  describeLeagueCodes,
  leagueInfo,
  normaliseLeagueCode,
  unknownLeagueMessage,
} from '../../src/sources/leagues.ts';
import { formatCount, MAX_WARNINGS, WarningLog } from '../../src/sources/warnings.ts';

describe('WarningLog', () => {
  const describeAs = (count: number) => ({ message: `${count} records`, action: 'stored as null' });

  it('counts warnings of one kind, file, league and subject as one, keeping the first sample', () => {
    const log = new WarningLog();
    let samples = 0;
    const sample = (text: string) => () => (samples++, text);
    log.add(
      'VALUE_UNREADABLE',
      { file: 'p.json', league: 'NSTF', subject: 'PTI' },
      sample('first'),
      describeAs,
    );
    log.add(
      'VALUE_UNREADABLE',
      { file: 'p.json', league: 'NSTF', subject: 'PTI' },
      sample('second'),
      describeAs,
    );
    log.add(
      'VALUE_UNREADABLE',
      { file: 'p.json', league: 'NSTF', subject: 'Wins' },
      sample('wins'),
      describeAs,
    );
    log.add(
      'VALUE_UNREADABLE',
      { file: 'p.json', league: 'CITA', subject: 'PTI' },
      sample('cita'),
      describeAs,
    );
    log.add('VALUE_UNREADABLE', { file: 'q.json', league: 'NSTF', subject: 'PTI' }, sample('q'), describeAs);
    log.add('PLAYERS_UNMATCHED', { file: 'p.json', league: null }, sample('unmatched'), describeAs);
    expect(log.list()).toEqual([
      {
        code: 'VALUE_UNREADABLE',
        file: 'p.json',
        league: 'NSTF',
        count: 2,
        sample: 'first',
        message: '2 records',
        action: 'stored as null',
      },
      {
        code: 'VALUE_UNREADABLE',
        file: 'p.json',
        league: 'NSTF',
        count: 1,
        sample: 'wins',
        message: '1 records',
        action: 'stored as null',
      },
      {
        code: 'VALUE_UNREADABLE',
        file: 'p.json',
        league: 'CITA',
        count: 1,
        sample: 'cita',
        message: '1 records',
        action: 'stored as null',
      },
      {
        code: 'VALUE_UNREADABLE',
        file: 'q.json',
        league: 'NSTF',
        count: 1,
        sample: 'q',
        message: '1 records',
        action: 'stored as null',
      },
      {
        code: 'PLAYERS_UNMATCHED',
        file: 'p.json',
        league: null,
        count: 1,
        sample: 'unmatched',
        message: '1 records',
        action: 'stored as null',
      },
    ]);
    // A sample is written only for the first warning of its kind.
    expect(samples).toBe(5);
  });

  it(`keeps at most ${MAX_WARNINGS} kinds, and still counts the ones it keeps`, () => {
    const log = new WarningLog();
    for (let i = 0; i <= MAX_WARNINGS; i++) {
      log.add('VALUE_UNREADABLE', { file: `f${i}`, league: null }, () => `s${i}`, describeAs);
    }
    log.add('VALUE_UNREADABLE', { file: 'f0', league: null }, () => 'again', describeAs);
    const list = log.list();
    expect(list).toHaveLength(MAX_WARNINGS);
    expect(list.map((w) => w.file)).not.toContain(`f${MAX_WARNINGS}`);
    expect(list[0]).toMatchObject({ file: 'f0', count: 2, sample: 's0' });
  });

  it('writes counts with thousands separators', () => {
    expect(formatCount(1776)).toBe('1,776');
    expect(formatCount(5)).toBe('5');
  });
});

describe('leagues', () => {
  it('reads a league code in any case and punctuation, and its aliases', () => {
    expect(normaliseLeagueCode('apta-chicago')).toBe('APTA_CHICAGO');
    expect(normaliseLeagueCode('APTA')).toBe('APTA_CHICAGO');
    expect(normaliseLeagueCode('nsft')).toBe('NSTF');
    expect(normaliseLeagueCode(' c.n.s.w.p.l ')).toBe('CNSWPL');
    expect(normaliseLeagueCode('Cita')).toBe('CITA');
    expect(normaliseLeagueCode('NBA')).toBeNull();
    expect(normaliseLeagueCode('')).toBeNull();
    expect(normaliseLeagueCode(1)).toBeNull();
  });

  it('names the series prefix of each league', () => {
    expect(leagueInfo('APTA_CHICAGO').seriesPrefix).toBe('Chicago');
    expect(leagueInfo('CITA').seriesPrefix).toBe('Series');
  });

  it('lists the known codes with their other spellings when a league is unknown', () => {
    expect(describeLeagueCodes()).toBe('APTA_CHICAGO (or APTA), NSTF (or NSFT), CNSWPL, CITA');
    expect(unknownLeagueMessage('NBA', ' in the leagues option')).toBe(
      'unknown league "NBA" in the leagues option: known leagues are APTA_CHICAGO (or APTA), NSTF (or NSFT), CNSWPL, CITA; ' +
        'case, spaces and punctuation do not matter (apta-chicago is APTA_CHICAGO)',
    );
    expect(unknownLeagueMessage('NBA')).toMatch(/^unknown league "NBA": known leagues/);
  });
});
