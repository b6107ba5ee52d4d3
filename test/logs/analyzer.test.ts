import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { analyzeLogs } from '../../src/logs/analyzer.ts';

let dir: string;

function pgLine(day: string, message: string): string {
  return `${day} 10:00:00.000 UTC [7] ERROR:  ${message}\n`;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-analyze-'));
  const deadlock = 'deadlock detected';
  const unique = 'duplicate key value violates unique constraint "teams_pkey"';
  // Two weeks ago: one deadlock a day for 3 days, gzipped by rotation.
  await writeFile(
    path.join(dir, 'postgresql.log.2.gz'),
    gzipSync(['2025-08-02', '2025-08-03', '2025-08-04'].map((d) => pgLine(d, deadlock)).join('')),
  );
  await writeFile(path.join(dir, 'postgresql.log.1'), pgLine('2025-08-05', unique));
  // Last week: deadlocks up, a unique violation once, timeouts new.
  await writeFile(
    path.join(dir, 'postgresql.log'),
    [
      ...['2025-08-12', '2025-08-13', '2025-08-13', '2025-08-14', '2025-08-15'].map((d) =>
        pgLine(d, deadlock),
      ),
      pgLine('2025-08-14', unique),
      pgLine('2025-08-15', 'canceling statement due to statement timeout'),
    ].join(''),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('analyzeLogs', () => {
  it('reads rotated and gzipped siblings and reports per day, per file, top and trend', async () => {
    const analysis = await analyzeLogs({ paths: [path.join(dir, 'postgresql.log')], top: 2 });
    expect(analysis.totals).toMatchObject({ DEADLOCK: 8, CONSTRAINT_VIOLATION: 2, CONNECTION_TIMEOUT: 1 });
    expect(analysis.files.map((f) => path.basename(f.file))).toEqual([
      'postgresql.log',
      'postgresql.log.1',
      'postgresql.log.2.gz',
    ]);
    expect(analysis.perDay.filter((d) => d.category === 'DEADLOCK')).toEqual([
      { day: '2025-08-02', category: 'DEADLOCK', count: 1 },
      { day: '2025-08-03', category: 'DEADLOCK', count: 1 },
      { day: '2025-08-04', category: 'DEADLOCK', count: 1 },
      { day: '2025-08-12', category: 'DEADLOCK', count: 1 },
      { day: '2025-08-13', category: 'DEADLOCK', count: 2 },
      { day: '2025-08-14', category: 'DEADLOCK', count: 1 },
      { day: '2025-08-15', category: 'DEADLOCK', count: 1 },
    ]);
    expect(analysis.perFile).toContainEqual({
      file: path.join(dir, 'postgresql.log.2.gz'),
      category: 'DEADLOCK',
      count: 3,
    });
    expect(analysis.top.map((f) => [f.category, f.count])).toEqual([
      ['DEADLOCK', 8],
      ['CONSTRAINT_VIOLATION', 2],
    ]);
    const byCategory = Object.fromEntries(analysis.categories.map((c) => [c.category, c]));
    expect(byCategory.DEADLOCK).toMatchObject({
      recent: 5,
      previous: 3,
      trend: 'RISING',
      firstSeen: '2025-08-02T10:00:00.000Z',
      lastSeen: '2025-08-15T10:00:00.000Z',
    });
    expect(byCategory.CONSTRAINT_VIOLATION).toMatchObject({ recent: 1, previous: 1, trend: 'STEADY' });
    expect(byCategory.CONNECTION_TIMEOUT!.trend).toBe('NEW');
    expect(byCategory.ORPHAN_INDICATOR!.trend).toBe('NONE');
  });

  it('reads only the named files when rotated ones are excluded', async () => {
    const analysis = await analyzeLogs({ paths: [path.join(dir, 'postgresql.log')], includeRotated: false });
    expect(analysis.totals.DEADLOCK).toBe(5);
  });
});

describe('analyzeLogs trends', () => {
  const T = Date.UTC(2025, 7, 15, 12);
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  /** Per category: the times of its entries (each a pino error line naming the category). */
  const scenarios: Record<string, number[]> = {
    RISE: [T, T - HOUR, T - 2 * HOUR, T - DAY - HOUR],
    FLAT: [T - HOUR, T - HOUR, T - HOUR, T - DAY - HOUR, T - DAY - HOUR],
    FEW: [T - HOUR, T - HOUR, T - DAY - HOUR],
    FALL: [T - HOUR, T - DAY - HOUR, T - DAY - HOUR, T - DAY - HOUR],
    EASE: [T - HOUR, T - HOUR, T - DAY - HOUR, T - DAY - HOUR, T - DAY - HOUR],
    DIP: [T - HOUR, T - DAY - HOUR, T - DAY - HOUR],
    // Exactly one period before the newest entry: the previous period, not the recent one.
    LEFT: [T - DAY],
    FRESH: [T - HOUR],
    // Exactly two periods before: in neither.
    OLD: [T - 2 * DAY],
  };
  const expected: Record<string, [number, number, string]> = {
    RISE: [3, 1, 'RISING'],
    FLAT: [3, 2, 'STEADY'],
    FEW: [2, 1, 'STEADY'],
    FALL: [1, 3, 'FALLING'],
    EASE: [2, 3, 'STEADY'],
    DIP: [1, 2, 'STEADY'],
    LEFT: [0, 1, 'GONE'],
    FRESH: [1, 0, 'NEW'],
    OLD: [0, 0, 'NONE'],
  };
  let file = '';
  beforeAll(async () => {
    file = path.join(dir, 'trends.log');
    const lines = Object.entries(scenarios).flatMap(([category, times]) =>
      times.map((time) => JSON.stringify({ level: 50, time, msg: `case ${category.toLowerCase()} seen` })),
    );
    // An entry without a time counts per file but on no day and in no period.
    lines.push(JSON.stringify({ level: 50, msg: 'case fresh seen' }));
    await writeFile(file, `${lines.join('\n')}\n`);
  });

  it('compares the last period before the newest entry with the one before it', async () => {
    const analysis = await analyzeLogs({
      paths: [file],
      includeRotated: false,
      trendDays: 1,
      top: 2,
      patterns: Object.keys(scenarios).map((category) => ({ category, pattern: `case ${category} seen` })),
    });
    const got = Object.fromEntries(
      analysis.categories
        .filter((c) => c.category in expected)
        .map((c) => [c.category, [c.recent, c.previous, c.trend]]),
    );
    expect(got).toEqual(expected);
    const fresh = analysis.categories.find((c) => c.category === 'FRESH')!;
    expect(fresh).toMatchObject({ count: 2, firstSeen: new Date(T - HOUR).toISOString() });
    expect(analysis.perFile).toContainEqual({ file, category: 'FRESH', count: 2 });
    expect(analysis.perDay.filter((d) => d.category === 'FRESH')).toEqual([
      { day: '2025-08-15', category: 'FRESH', count: 1 },
    ]);
    const rise = analysis.categories.find((c) => c.category === 'RISE')!;
    expect([rise.firstSeen, rise.lastSeen]).toEqual([
      new Date(T - DAY - HOUR).toISOString(),
      new Date(T).toISOString(),
    ]);
    // Days, then categories, in order.
    const days = analysis.perDay.map((d) => `${d.day} ${d.category}`);
    expect(days).toEqual([...days].sort());
    // The most frequent findings, as many as asked for.
    expect(analysis.top.map((f) => [f.category, f.count])).toEqual([
      ['EASE', 5],
      ['FLAT', 5],
    ]);
  });

  it('reads a week as the period by default', async () => {
    const analysis = await analyzeLogs({
      paths: [file],
      includeRotated: false,
      patterns: [{ category: 'OLD', pattern: 'case old seen' }],
    });
    expect(analysis.categories.find((c) => c.category === 'OLD')).toMatchObject({ recent: 1, previous: 0 });
  });
});
