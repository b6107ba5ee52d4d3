import { describe, expect, it } from 'vitest';

import { describe as describeValue, locateBadBytes, RecordCheck } from '../../src/sources/record-check.ts';
import { InvalidBytes } from '../../src/sources/utf8.ts';

function check(maxLength?: number) {
  return new RecordCheck('teams.json', 7, maxLength);
}

/** What the check found, as (field, reason) pairs. */
function found(c: RecordCheck): [string, string][] {
  return c.rejections.map((r) => [r.field, r.reason]);
}

describe('RecordCheck.object', () => {
  it('takes an object and reports nothing for a clean one', () => {
    const c = check();
    const record = { team: 'Oak 1', stats: { won: 3, list: ['a', null] } };
    expect(c.object(record)).toBe(record);
    expect(c.ok).toBe(true);
    expect(c.rejections).toEqual([]);
  });

  it('rejects anything that is not an object, saying what it is', () => {
    const cases: [unknown, string][] = [
      [null, 'record is null, expected an object'],
      [[1], 'record is an array, expected an object'],
      ['x', 'record is "x", expected an object'],
      ['', 'record is empty, expected an object'],
      [5, 'record is number 5, expected an object'],
      [true, 'record is boolean true, expected an object'],
      [undefined, 'record is missing, expected an object'],
    ];
    for (const [value, reason] of cases) {
      const c = check();
      expect(c.object(value)).toBeNull();
      expect(c.ok).toBe(false);
      expect(c.rejections).toEqual([
        { file: 'teams.json', index: 7, field: '', reason, value: expect.any(String) },
      ]);
    }
  });

  it('names a record that is a string PostgreSQL cannot store for what it holds', () => {
    const c = check();
    expect(c.object('a\u0000b')).toBeNull();
    expect(found(c)).toEqual([['', 'value holds a NUL character, which PostgreSQL cannot store']]);
  });

  it('rejects over-long values and field names, at any depth, naming the path', () => {
    const c = check(5);
    c.object({ ok: '12345', long: '123456', deep: { inner: ['abcdef'] }, abcdef: 1 });
    expect(found(c)).toEqual([
      ['long', 'is 6 characters long, the limit is 5'],
      ['deep.inner.0', 'is 6 characters long, the limit is 5'],
      ['abcdef', 'field name is longer than 5 characters'],
    ]);
  });

  it('rejects control characters in values but tolerates tabs and line breaks', () => {
    const c = check();
    c.object({ a: 'x\ty\nz\r', b: { c: 'bell\u0007' } });
    expect(found(c)).toEqual([['b.c', 'contains control characters']]);
  });

  it('rejects objects nested more than four levels below the record, at the field that goes too deep', () => {
    const ok = check();
    ok.object({ a: { b: { c: { d: { e: 'x' } } } } });
    expect(ok.ok).toBe(true);
    const deep = check();
    deep.object({ a: { b: { c: { d: { e: { f: 'x' } } } } } });
    expect(found(deep)).toEqual([['a.b.c.d.e', 'is nested deeper than 4 levels']]);
  });

  it('says which kind of unstorable text a value or a field name holds', () => {
    const c = check();
    c.object({
      a: 'nul\u0000',
      b: 'bad byte \udcff',
      c: 'lone \ud800',
      ['key\u0000']: 'x',
      d: { ['\udc80']: 1 },
    });
    expect(found(c)).toEqual([
      ['a', 'value holds a NUL character, which PostgreSQL cannot store'],
      ['b', 'value holds bytes that are not UTF-8'],
      ['c', 'value holds an unpaired UTF-16 surrogate, which PostgreSQL cannot store'],
      ['key\\0', 'field name holds a NUL character, which PostgreSQL cannot store'],
      ['d.\\x80', 'field name holds bytes that are not UTF-8'],
    ]);
  });

  it('trusts a record known to be plain: no control or encoding search, lengths still checked', () => {
    const c = check(5);
    c.object({ a: 'bell\u0007', b: 'nul\u0000', c: '123456' }, true);
    expect(found(c)).toEqual([['c', 'is 6 characters long, the limit is 5']]);
  });

  it('checks keys it does not read only for what PostgreSQL cannot store', () => {
    const c = check(5);
    const known = new Set(['team']);
    c.object(
      {
        team: '123456',
        extra: 'bell\u0007 and far too long',
        deep: { a: { b: { c: { d: { e: { f: 'bad \udcff' } } } } } },
        ['longer key']: 1,
        other: 'nul\u0000',
      },
      false,
      known,
    );
    expect(found(c)).toEqual([
      ['team', 'is 6 characters long, the limit is 5'],
      ['deep.a.b.c.d.e.f', 'value holds bytes that are not UTF-8'],
      ['other', 'value holds a NUL character, which PostgreSQL cannot store'],
    ]);
  });
});

describe('RecordCheck.text', () => {
  it('normalises a string field and is empty when an optional one is absent', () => {
    const c = check();
    expect(c.text({ team: '  Oak   1 ' }, 'team', true)).toBe('Oak 1');
    expect(c.text({}, 'series')).toBe('');
    expect(c.text({ series: null }, 'series')).toBe('');
    expect(c.ok).toBe(true);
  });

  it('rejects a required field that is missing, null or empty, and any field that is not a string', () => {
    const c = check();
    expect(c.text({}, 'team', true)).toBe('');
    expect(c.text({ team: null }, 'team', true)).toBe('');
    expect(c.text({ team: ' \t ' }, 'team', true)).toBe('');
    expect(c.text({ series: 12 }, 'series')).toBe('');
    expect(c.text({ series: ['a'] }, 'series')).toBe('');
    expect(c.rejections).toEqual([
      { file: 'teams.json', index: 7, field: 'team', reason: 'is missing', value: 'undefined' },
      { file: 'teams.json', index: 7, field: 'team', reason: 'is missing', value: 'null' },
      { file: 'teams.json', index: 7, field: 'team', reason: 'is empty', value: ' \t ' },
      {
        file: 'teams.json',
        index: 7,
        field: 'series',
        reason: 'is number 12, expected a string',
        value: '12',
      },
      {
        file: 'teams.json',
        index: 7,
        field: 'series',
        reason: 'is an array, expected a string',
        value: '["a"]',
      },
    ]);
  });
});

describe('RecordCheck.parsed', () => {
  const whole = (v: unknown) => (typeof v === 'number' ? v : undefined);

  it('follows a dotted path and rejects what the parser refuses, naming what was expected', () => {
    const c = check();
    expect(c.parsed({ matches: { won: 3 } }, 'matches.won', whole, 'a number')).toBe(3);
    expect(c.parsed({ points: 4 }, 'points', whole, 'a number')).toBe(4);
    expect(c.ok).toBe(true);
    c.parsed({ matches: { won: 'x' } }, 'matches.won', whole, 'a number');
    c.parsed({ matches: 5 }, 'matches.won', whole, 'a number');
    c.parsed({}, 'matches.won', whole, 'a number');
    c.parsed({ matches: null }, 'matches.won', whole, 'a number');
    expect(found(c)).toEqual([
      ['matches.won', 'is "x", expected a number'],
      ['matches.won', 'is missing, expected a number'],
      ['matches.won', 'is missing, expected a number'],
      ['matches.won', 'is missing, expected a number'],
    ]);
  });

  it('does not read a dotted name as a path when the name has no dot', () => {
    const c = check();
    expect(c.parsed({ 'a.b': 1, a: { b: 2 } }, 'a.b', whole, 'a number')).toBe(2);
    expect(c.parsed({ ab: 1 }, 'ab', whole, 'a number')).toBe(1);
  });
});

describe('RecordCheck.reject', () => {
  it('spells out an unstorable field name and cuts the value', () => {
    const c = check();
    c.reject('a\u0000', 'is wrong', 'v'.repeat(100));
    expect(c.rejections[0]).toEqual({
      file: 'teams.json',
      index: 7,
      field: 'a\\0',
      reason: 'is wrong',
      value: `${'v'.repeat(79)}…`,
    });
  });
});

describe('describe', () => {
  it('names each kind of value, cutting long strings', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue([])).toBe('an array');
    expect(describeValue('')).toBe('empty');
    expect(describeValue('abc')).toBe('"abc"');
    expect(describeValue('x'.repeat(50))).toBe(`"${'x'.repeat(39)}…"`);
    expect(describeValue(3)).toBe('number 3');
    expect(describeValue(false)).toBe('boolean false');
    expect(describeValue(undefined)).toBe('missing');
    expect(describeValue({})).toBe('an object');
  });
});

describe('locateBadBytes', () => {
  it('gives each bad-bytes rejection the offset of its first bad byte, in the order read', () => {
    const c = check();
    c.object({ a: 'one \udcff', b: 'nul\u0000', c: 'two \udc80\udc81', d: 'three \udc90' });
    const invalid = new InvalidBytes(3);
    for (const offset of [10, 20, 21, 30]) invalid.record(offset);
    locateBadBytes(c.rejections, invalid);
    expect(c.rejections.map((r) => [r.field, r.offset, r.reason])).toEqual([
      ['a', 10, 'value holds bytes that are not UTF-8 (first at byte 10)'],
      ['b', undefined, 'value holds a NUL character, which PostgreSQL cannot store'],
      ['c', 20, 'value holds bytes that are not UTF-8 (first at byte 20)'],
      // Past the offsets kept: counted, not located.
      ['d', undefined, 'value holds bytes that are not UTF-8'],
    ]);
  });
});
