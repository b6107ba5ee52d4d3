import { describe, expect, it } from 'vitest';

import { FindingAggregator } from '../../src/logs/aggregate.ts';
import { fingerprint, maskMessage } from '../../src/logs/fingerprint.ts';
import { maskSample } from '../../src/logs/mask.ts';
import { parseTimestamp, parseTimeValue } from '../../src/logs/timestamp.ts';
import type { ClassifiedEntry } from '../../src/logs/types.ts';

describe('maskMessage', () => {
  it('masks double-, single- and back-quoted values, escaped quotes included', () => {
    expect(maskMessage('relation "a \\"b\\" c" x')).toBe('relation ? x');
    expect(maskMessage("value 'it\\'s here' x")).toBe('value ? x');
    expect(maskMessage('column `team name` x')).toBe('column ? x');
    // An empty quoted value is a value too.
    expect(maskMessage('name "" and \'\' x')).toBe('name ? and ? x');
    // Two quoted values stay two: the mask does not swallow the words between them.
    expect(maskMessage('from "a" to "b"')).toBe('from ? to ?');
  });

  it('masks a UUID as an id, in either case, even one without a digit', () => {
    expect(maskMessage('job deadbeef-dead-beef-dead-beefdeadbeef failed')).toBe('job <id> failed');
    expect(maskMessage('job DEADBEEF-DEAD-BEEF-DEAD-BEEFDEADBEEF failed')).toBe('job <id> failed');
    expect(maskMessage('job 3f0c2a9e-8a1b-4c5d-9e7f-0123456789ab failed')).toBe('job <id> failed');
    // A hex word that only looks like part of a UUID is a word.
    expect(maskMessage('job xdeadbeef-dead-beef-dead-beefdeadbeef failed')).toBe(
      'job xdeadbeef-dead-beef-dead-beefdeadbeef failed',
    );
  });

  it('masks every token that holds a digit, with its punctuation, and keeps the words', () => {
    expect(maskMessage('at 10:00:00.123+02 pid 4242 id gen-k2m4-8hy ok')).toBe('at <n> pid <n> id <n> ok');
    expect(maskMessage('no numbers here')).toBe('no numbers here');
  });

  it('collapses runs of white space and trims the ends', () => {
    expect(maskMessage('  a\t\n  b  ')).toBe('a b');
  });

  it('reads only the first 400 characters of a message', () => {
    expect(maskMessage('a'.repeat(450))).toBe('a'.repeat(400));
    expect(fingerprint('X', `${'a'.repeat(400)} tail one`)).toBe(
      fingerprint('X', `${'a'.repeat(400)} tail two`),
    );
  });
});

describe('fingerprint', () => {
  it('is 16 hex digits, stable across calls', () => {
    const f = fingerprint('DEADLOCK', 'deadlock detected');
    expect(f).toMatch(/^[0-9a-f]{16}$/);
    expect(fingerprint('DEADLOCK', 'deadlock detected')).toBe(f);
  });

  it('tells apart a category and message that only join to the same text', () => {
    expect(fingerprint('AB', 'C')).not.toBe(fingerprint('A', 'BC'));
    expect(fingerprint('X', 'one problem')).not.toBe(fingerprint('X', 'another problem'));
  });
});

function classified(raw: string, extra: Partial<ClassifiedEntry> = {}): ClassifiedEntry {
  return {
    time: null,
    severity: 'ERROR',
    sqlState: null,
    message: raw,
    detail: '',
    raw,
    category: 'DEADLOCK',
    fingerprint: 'f1',
    file: 'a.log',
    ...extra,
  };
}

const T0 = Date.UTC(2025, 7, 6, 10);

describe('FindingAggregator', () => {
  it('starts every category it is given at zero, and counts a category it was not given', () => {
    const agg = new FindingAggregator(['DEADLOCK', 'UPSERT_FAILURE']);
    expect(agg.totals).toEqual({ DEADLOCK: 0, UPSERT_FAILURE: 0 });
    agg.add(classified('x', { category: 'SCRAPER_GAP' }));
    agg.add(classified('y', { category: 'SCRAPER_GAP' }));
    agg.add(classified('z'));
    expect(agg.totals).toEqual({ DEADLOCK: 1, UPSERT_FAILURE: 0, SCRAPER_GAP: 2 });
  });

  it('keeps first and last seen, the files once each in order, and the earliest entry as sample', () => {
    const agg = new FindingAggregator(['DEADLOCK']);
    agg.add(classified('middle', { time: T0 + 1000, file: 'b.log' }));
    agg.add(classified('late', { time: T0 + 5000, file: 'a.log' }));
    agg.add(classified('early', { time: T0, file: 'b.log' }));
    const last = agg.add(classified('no time', { time: null, file: 'c.log' }));
    const expected = {
      category: 'DEADLOCK',
      fingerprint: 'f1',
      count: 4,
      firstSeen: new Date(T0).toISOString(),
      lastSeen: new Date(T0 + 5000).toISOString(),
      files: ['a.log', 'b.log', 'c.log'],
      sample: 'early',
    };
    expect(last).toEqual(expected);
    expect(agg.findings()).toEqual([expected]);
  });

  it('takes the sample from the first timed entry when the first ones had no time', () => {
    const agg = new FindingAggregator(['DEADLOCK']);
    agg.add(classified('untimed'));
    const f = agg.add(classified('timed', { time: T0 }));
    expect(f).toMatchObject({
      sample: 'timed',
      firstSeen: new Date(T0).toISOString(),
      lastSeen: new Date(T0).toISOString(),
    });
  });

  it('keeps the first sample read when two entries share the earliest time', () => {
    const agg = new FindingAggregator(['DEADLOCK']);
    agg.add(classified('first', { time: T0 }));
    expect(agg.add(classified('second', { time: T0 })).sample).toBe('first');
  });

  it('leaves first and last seen null when no entry had a time', () => {
    const agg = new FindingAggregator(['DEADLOCK']);
    expect(agg.add(classified('x'))).toMatchObject({ firstSeen: null, lastSeen: null, count: 1 });
  });

  it('cuts a sample at 2,000 characters', () => {
    const agg = new FindingAggregator(['DEADLOCK']);
    expect(agg.add(classified('a'.repeat(2500))).sample).toBe('a'.repeat(2000));
    expect(agg.add(classified('b'.repeat(2500), { time: T0 })).sample).toBe('b'.repeat(2000));
  });

  it('lists the most frequent finding first, then by fingerprint', () => {
    const agg = new FindingAggregator(['DEADLOCK']);
    for (const fp of ['c', 'b', 'b', 'a', 'd', 'd']) agg.add(classified(fp, { fingerprint: fp }));
    expect(agg.findings().map((f) => [f.fingerprint, f.count])).toEqual([
      ['b', 2],
      ['d', 2],
      ['a', 1],
      ['c', 1],
    ]);
  });
});

describe('parseTimestamp', () => {
  it('reads a fraction of any length as milliseconds', () => {
    expect(parseTimestamp('2025-08-06 10:00:00.5')).toBe(T0 + 500);
    expect(parseTimestamp('2025-08-06 10:00:00.123456789')).toBe(T0 + 123);
    expect(parseTimestamp('2025-08-06 10:00:00')).toBe(T0);
  });

  it('honours offsets with and without minutes, and Z, UTC and GMT', () => {
    expect(parseTimestamp('2025-08-06 15:30:00+0530')).toBe(T0);
    expect(parseTimestamp('2025-08-06 06:30:00 -03:30')).toBe(T0);
    expect(parseTimestamp('2025-08-06 12:00:00+02')).toBe(T0);
    expect(parseTimestamp('2025-08-06T10:00:00Z')).toBe(T0);
    expect(parseTimestamp('2025-08-06 10:00:00 GMT')).toBe(T0);
  });

  it('reads a named zone as UTC', () => {
    expect(parseTimestamp('2025-08-06 10:00:00 CEST')).toBe(T0);
  });

  it('finds the stamp inside a line', () => {
    expect(parseTimestamp('[worker 3] 2025-08-06 10:00:01 started')).toBe(T0 + 1000);
  });
});

describe('parseTimeValue', () => {
  it('takes a finite number as epoch milliseconds, and nothing else that is not a string', () => {
    expect(parseTimeValue(T0)).toBe(T0);
    expect(parseTimeValue(Number.NaN)).toBeNull();
    expect(parseTimeValue(Number.POSITIVE_INFINITY)).toBeNull();
    expect(parseTimeValue(null)).toBeNull();
    expect(parseTimeValue({ time: T0 })).toBeNull();
  });

  it('reads a log stamp, else any date JavaScript reads, else nothing', () => {
    expect(parseTimeValue('2025-08-06 12:00:00+02:00')).toBe(T0);
    expect(parseTimeValue('Wed, 06 Aug 2025 10:00:00 GMT')).toBe(T0);
    expect(parseTimeValue('not a time')).toBeNull();
  });
});

describe('maskSample', () => {
  it('masks literals, dollar-quoted bodies, e-mail addresses and key values, and keeps the rest', () => {
    expect(maskSample("select 'ann', E'b\\'c', $$body$$, $fn$x$fn$ from \"teams\" where id = 4")).toBe(
      "select '?', '?', $$?$$, $$?$$ from \"teams\" where id = 4",
    );
    expect(maskSample('mail ann@example.org failed')).toBe('mail <email> failed');
    expect(maskSample('DETAIL: Key (email, club)=(ann, x(1)) already exists.')).toBe(
      'DETAIL: Key (email, club)=(?) already exists.',
    );
  });
});
