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
