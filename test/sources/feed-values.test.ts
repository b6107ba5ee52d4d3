import { describe, expect, it } from 'vitest';

import { parseCount, parseFeedDate, parseFeedTime, parseRating } from '../../src/sources/feed-values.ts';

describe('parseFeedDate', () => {
  it('reads MM/DD/YYYY, with or without leading zeros, and ISO dates', () => {
    expect(parseFeedDate('01/09/2025')).toBe('2025-01-09');
    expect(parseFeedDate('1/9/2025')).toBe('2025-01-09');
    expect(parseFeedDate('12/31/2025')).toBe('2025-12-31');
    expect(parseFeedDate('2025-01-09')).toBe('2025-01-09');
    expect(parseFeedDate('2024-02-29')).toBe('2024-02-29');
  });

  it('writes a year before 1000 with four digits', () => {
    expect(parseFeedDate('01/09/0999')).toBe('0999-01-09');
    expect(parseFeedDate('0999-01-09')).toBe('0999-01-09');
  });

  it('refuses a date with anything before or after it, or digits of the wrong count', () => {
    for (const value of [
      'x01/09/2025',
      '01/09/2025x',
      '01/09/2025 ',
      'x2025-01-09',
      '2025-01-09x',
      '2025-01-09T10:00',
      '001/09/2025',
      '01/009/2025',
      '01/09/25',
      '01/09/20255',
      '2025-1-09',
      '2025-01-9',
      '25-01-09',
      '20255-01-09',
      '2025/01/09',
      'aa/bb/cccc',
      '',
    ]) {
      expect(parseFeedDate(value), value).toBeUndefined();
    }
  });

  it('refuses impossible dates', () => {
    for (const value of [
      '02/31/2025',
      '2025-02-29',
      '13/01/2025',
      '2025-13-01',
      '00/10/2025',
      '2025-01-00',
      '2025-04-31',
    ]) {
      expect(parseFeedDate(value), value).toBeUndefined();
    }
  });
});

describe('parseFeedTime', () => {
  it('is null for an empty value', () => {
    expect(parseFeedTime('')).toBeNull();
  });

  it('reads 12-hour times in the spellings feeds use, as 24-hour hh:mm', () => {
    expect(parseFeedTime('09:00 am')).toBe('09:00');
    expect(parseFeedTime('10:30 AM')).toBe('10:30');
    expect(parseFeedTime('6:30pm')).toBe('18:30');
    expect(parseFeedTime('6:30 P.M.')).toBe('18:30');
    expect(parseFeedTime('6:30 p')).toBe('18:30');
    expect(parseFeedTime('6:30   pm')).toBe('18:30');
    expect(parseFeedTime('1:00 am')).toBe('01:00');
    expect(parseFeedTime('12:00 am')).toBe('00:00');
    expect(parseFeedTime('12:15 pm')).toBe('12:15');
  });

  it('reads 24-hour times, seconds dropped', () => {
    expect(parseFeedTime('18:30')).toBe('18:30');
    expect(parseFeedTime('0:05')).toBe('00:05');
    expect(parseFeedTime('23:59')).toBe('23:59');
    expect(parseFeedTime('18:30:15')).toBe('18:30');
  });

  it('refuses hours and minutes out of range', () => {
    for (const value of ['24:00', '10:60', '13:00 pm', '0:30 am', '0:30 pm']) {
      expect(parseFeedTime(value), value).toBeUndefined();
    }
  });

  it('refuses anything that is not a time alone', () => {
    for (const value of [
      'x10:30',
      '10:30x',
      '10:30 pmx',
      '123:00',
      '10:3',
      '10:300',
      '10',
      'ten past six',
      '10:30:1',
    ]) {
      expect(parseFeedTime(value), value).toBeUndefined();
    }
  });
});

describe('parseCount', () => {
  it('is 0 for a missing or empty value', () => {
    expect(parseCount(undefined)).toBe(0);
    expect(parseCount(null)).toBe(0);
    expect(parseCount('')).toBe(0);
  });

  it('takes a non-negative whole number or a digit string, spaces around it allowed', () => {
    expect(parseCount(17)).toBe(17);
    expect(parseCount(0)).toBe(0);
    expect(parseCount('17')).toBe(17);
    expect(parseCount(' 17 ')).toBe(17);
    expect(parseCount('123456789012345')).toBe(123456789012345);
  });

  it('refuses negative, fractional, unsafe and non-numeric values', () => {
    for (const value of [
      -1,
      1.5,
      2 ** 53,
      Number.NaN,
      '-1',
      '1.5',
      '1e3',
      'x17',
      '17x',
      '1 7',
      '1234567890123456',
      true,
      {},
    ]) {
      expect(parseCount(value), String(value)).toBeUndefined();
    }
  });
});

describe('parseRating', () => {
  it('is null when missing, empty, N/A or a dash', () => {
    for (const value of [undefined, null, '', '   ', 'N/A', 'n/a', 'NA', 'na', ' N/A ', '-']) {
      expect(parseRating(value), String(value)).toBeNull();
    }
  });

  it('takes a finite number or a decimal string', () => {
    expect(parseRating(3.5)).toBe(3.5);
    expect(parseRating(-2)).toBe(-2);
    expect(parseRating('3.5')).toBe(3.5);
    expect(parseRating(' -2 ')).toBe(-2);
    expect(parseRating('123456')).toBe(123456);
    expect(parseRating('0.125')).toBe(0.125);
  });

  it('refuses anything else', () => {
    for (const value of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      true,
      {},
      '1234567',
      '3.',
      '.5',
      'abc',
      'xN/A',
      'N/Ax',
      'n//a',
      '--',
      '3.5x',
      'x3.5',
      '1e3',
    ]) {
      expect(parseRating(value), String(value)).toBeUndefined();
    }
  });
});
