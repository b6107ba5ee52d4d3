import { describe, expect, it } from 'vitest';

import {
  caseInsensitive,
  comparisonKey,
  escapeRegExp,
  hasRejectedControlChars,
  normaliseName,
  printable,
  truncate,
  unstorable,
} from '../../src/sources/text.ts';

describe('normaliseName', () => {
  it('leaves a clean name as it is, and cleans one with a doubled or edge space', () => {
    expect(normaliseName('Lake Ashby S1')).toBe('Lake Ashby S1');
    expect(normaliseName('Lake  Ashby')).toBe('Lake Ashby');
    expect(normaliseName(' Lake')).toBe('Lake');
    expect(normaliseName('Lake ')).toBe('Lake');
    expect(normaliseName('x')).toBe('x');
    expect(normaliseName('')).toBe('');
  });

  it('turns booleans into their words', () => {
    expect(normaliseName(true)).toBe('true');
    expect(normaliseName(undefined)).toBe('');
  });

  it('drops each invisible format character and turns every kind of white space into one space', () => {
    expect(normaliseName('a\u200Cb\u200Dc\u2060d\uFEFFe\u200Bf')).toBe('abcdef');
    expect(normaliseName('a\u00a0\u2003b')).toBe('a b');
    expect(normaliseName('a\tb\nc\rd')).toBe('a b c d');
  });
});

describe('hasRejectedControlChars', () => {
  it('tolerates tab, line feed and carriage return, and rejects every other control character', () => {
    expect(hasRejectedControlChars('a\tb\nc\rd')).toBe(false);
    expect(hasRejectedControlChars('plain')).toBe(false);
    expect(hasRejectedControlChars('a\u0000b')).toBe(true);
    expect(hasRejectedControlChars('a\u0007')).toBe(true);
    expect(hasRejectedControlChars('\u007f')).toBe(true);
    expect(hasRejectedControlChars('\u009f')).toBe(true);
  });
});

describe('comparisonKey', () => {
  it('ignores case and every space, and keeps every other character', () => {
    expect(comparisonKey('Collegiate Park - East')).toBe('collegiatepark-east');
    expect(comparisonKey('A\u00a0B')).toBe('ab');
  });
});

describe('caseInsensitive', () => {
  it('matches regardless of case, and the same source gives the same RegExp', () => {
    const re = caseInsensitive('series \\d+');
    expect(re.test('SERIES 12')).toBe(true);
    expect(re.test('division 12')).toBe(false);
    expect(caseInsensitive('series \\d+')).toBe(re);
    expect(re.flags).toBe('i');
  });
});

describe('escapeRegExp', () => {
  it('makes every character of a name match itself only', () => {
    const name = 'a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o';
    const re = new RegExp(`^${escapeRegExp(name)}$`);
    expect(re.test(name)).toBe(true);
    expect(re.test(name.replace('.', 'x'))).toBe(false);
    expect(escapeRegExp('Club (North)')).toBe('Club \\(North\\)');
    expect(escapeRegExp('plain')).toBe('plain');
  });
});

describe('truncate', () => {
  it('keeps a value up to the limit whole, and cuts a longer one to the limit with an ellipsis', () => {
    expect(truncate('a'.repeat(80))).toBe('a'.repeat(80));
    expect(truncate('a'.repeat(81))).toBe(`${'a'.repeat(79)}…`);
    expect(truncate('a'.repeat(500))).toBe(`${'a'.repeat(79)}…`);
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abcd', 4)).toBe('abcd');
  });

  it('never cuts between the halves of a surrogate pair', () => {
    // The pair sits at the characters 78 and 79 that a cut at 79 would split.
    const text = `${'a'.repeat(78)}😀${'b'.repeat(10)}`;
    const cut = truncate(text);
    expect(cut).toBe(`${'a'.repeat(78)}…`);
    expect(cut.length).toBeLessThanOrEqual(80);
    expect(unstorable(cut)).toBe(false);
    // A pair that ends before the cut stays.
    expect(truncate(`${'a'.repeat(77)}😀${'b'.repeat(10)}`)).toBe(`${'a'.repeat(77)}😀…`);
  });

  it('writes non-strings as JSON, and what JSON cannot write as a string', () => {
    expect(truncate({ a: 1 })).toBe('{"a":1}');
    expect(truncate(undefined)).toBe('undefined');
    expect(truncate(12n)).toBe('[object BigInt]');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(truncate(cyclic)).toBe('[object Object]');
  });

  it('spells out what cannot be stored, and still respects the limit', () => {
    expect(truncate('a\u0000b')).toBe('a\\0b');
    const long = truncate('\u0000'.repeat(200));
    expect(long.length).toBe(80);
    expect(long.startsWith('\\0\\0')).toBe(true);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('printable and unstorable', () => {
  it('spells out NUL, bytes that were not UTF-8 and unpaired surrogates, and keeps pairs', () => {
    expect(printable('a\u0000b')).toBe('a\\0b');
    expect(printable('\udcff')).toBe('\\xff');
    expect(printable('\udc80')).toBe('\\x80');
    expect(printable('\udc7f')).toBe('\\udc7f');
    expect(printable('\udd00')).toBe('\\udd00');
    expect(printable('\ud800x')).toBe('\\ud800x');
    expect(printable('😀')).toBe('😀');
    expect(printable('plain')).toBe('plain');
  });

  it('is true exactly when PostgreSQL would refuse the text', () => {
    expect(unstorable('plain 😀')).toBe(false);
    expect(unstorable('a\u0000')).toBe(true);
    expect(unstorable('\ud800')).toBe(true);
    expect(unstorable('x\udc00')).toBe(true);
  });
});
