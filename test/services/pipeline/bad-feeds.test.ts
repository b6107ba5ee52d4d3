import { createWriteStream } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { finished } from 'node:stream/promises';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeLeagueFeed } from '../../../src/generator/index.ts';
import { seedUserData } from '../../../src/generator/user-data.ts';
import { startPipeline } from '../../../src/services/pipeline/run-pipeline.ts';
import type { PipelineRun } from '../../../src/services/pipeline/runs.ts';
import { useTestApp } from '../../helpers/app.ts';
import { RUN_RECORD, tableChecksums } from '../../helpers/checksums.ts';

/**
 * A corpus of hostile feeds, generated here: each gives a clear error or per-record rejections,
 * and none changes a single row of the platform's tables (checksums before and after).
 */
const t = useTestApp();
let dir: string;
let valid: string;
type StatsRecord = Record<string, unknown>;
let validStats: StatsRecord[];

/**
 * Every table but the run log (each run records itself there) and the snapshot each run takes of the
 * user data before its transaction (kept by design, whatever the outcome, for a later restore).
 */
const checksums = () => tableChecksums(t.db, RUN_RECORD);

/** A copy of the valid feed with some of its files replaced. */
async function variant(name: string, files: Record<string, string | ((file: string) => Promise<void>)>) {
  const target = path.join(dir, name);
  await cp(valid, target, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(target, file);
    await rm(full, { recursive: true, force: true });
    if (typeof content === 'string') await writeFile(full, content);
    else await content(full);
  }
  return target;
}

const withStats = (...extra: unknown[]) => JSON.stringify([...validStats, ...extra]);

async function run(source: string): Promise<PipelineRun> {
  return (await startPipeline(t.app, { path: source })).finished;
}

interface Rejection {
  file: string;
  index: number;
  field: string;
  reason: string;
}
function rejectionsOf(run: PipelineRun): Rejection[] {
  return (run.stats as { import?: { rejections?: Rejection[] } }).import?.rejections ?? [];
}

let before: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-hostile-'));
  valid = path.join(dir, 'valid');
  await writeLeagueFeed(valid, { seed: 'hostile', teams: 60 });
  validStats = JSON.parse(await readFile(path.join(valid, 'series_stats.json'), 'utf8')) as StatsRecord[];
  const first = await run(valid);
  expect(first.status, JSON.stringify(first.error)).toBe('SUCCEEDED');
  await seedUserData(t.db.pool, { seed: 'hostile' });
  // The same feed again settles anything a first import leaves to a second (it must change nothing).
  expect((await run(valid)).status).toBe('SUCCEEDED');
  before = await checksums();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('hostile feeds leave the database unchanged', () => {
  it('truncated JSON: INVALID_INPUT naming the file and position', async () => {
    const text = await readFile(path.join(valid, 'players.json'), 'utf8');
    const result = await run(
      await variant('truncated', { 'players.json': text.slice(0, Math.floor(text.length / 2)) }),
    );
    expect(result.status).toBe('FAILED');
    expect(result.error).toMatchObject({ code: 'INVALID_INPUT' });
    expect(JSON.stringify(result.error)).toMatch(/players\.json/);
    expect(JSON.stringify(result.error)).toMatch(/line \d+/);
    expect(await checksums()).toEqual(before);
  });

  it('empty files and a directory where a file should be', async () => {
    const messages: string[] = [];
    for (const [name, files] of [
      ['empty', { 'schedules.json': '' }],
      ['directory', { 'series_stats.json': (file: string) => mkdir(file).then(() => undefined) }],
      ['not-an-array', { 'players.json': '{"players": []}' }],
    ] as const) {
      const result = await run(await variant(name, files));
      expect(result.status, name).toBe('FAILED');
      expect(['SOURCE_UNREADABLE', 'INVALID_INPUT'], name).toContain((result.error as { code: string }).code);
      messages.push((result.error as { message: string }).message);
      expect(JSON.stringify(result.error), name).toMatch(/\.json/);
    }
    expect(messages).toEqual([
      expect.stringMatching(/schedules\.json is empty/),
      expect.stringMatching(/series_stats\.json is a directory/),
      expect.stringMatching(/players\.json: the top level is an object, expected an array/),
    ]);
    expect(await checksums()).toEqual(before);
  });

  it('wrong types, 10 MB strings and control characters: rejected per record with file, record and field', async () => {
    const [sample] = validStats as [StatsRecord];
    const result = await run(
      await variant('bad-records', {
        'series_stats.json': withStats(
          { ...sample, team: 12345 },
          { ...sample, series: { nested: true } },
          { ...sample, team: 'x'.repeat(10 * 1024 * 1024) },
          { ...sample, team: 'Evil\u0000Club - 3' },
          { ...sample, team: 'Bell\u0007Club - 3' },
          null,
        ),
      }),
    );
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    const rejections = rejectionsOf(result);
    const first = validStats.length;
    expect(rejections.map((r) => [r.file, r.index, r.field])).toEqual([
      ['series_stats.json', first, 'team'],
      ['series_stats.json', first + 1, 'series'],
      ['series_stats.json', first + 2, 'team'],
      ['series_stats.json', first + 3, 'team'],
      ['series_stats.json', first + 4, 'team'],
      ['series_stats.json', first + 5, expect.any(String)],
    ]);
    for (const r of rejections) expect(r.reason.length).toBeGreaterThan(5);
    // The 10 MB value is reported, not echoed back whole.
    expect(JSON.stringify(result.stats).length).toBeLessThan(100_000);
    expect(await checksums()).toEqual(before);
  });

  it(
    'a million duplicate records of one team: deduplicated, nothing changes',
    { timeout: 180_000 },
    async () => {
      const [sample] = validStats as [StatsRecord];
      const source = await variant('duplicates', {
        'series_stats.json': async (file) => {
          const out = createWriteStream(file);
          out.write(withStats().slice(0, -1));
          const copy = `,${JSON.stringify(sample)}`;
          for (let i = 0; i < 1_000_000; i++) {
            if (!out.write(copy)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
          }
          out.end(']');
          await finished(out);
        },
      });
      const result = await run(source);
      expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
      expect(rejectionsOf(result)).toEqual([]);
      expect(JSON.stringify(result.stats)).toMatch(/"duplicates":\s*1000\d{3}/);
      expect(await checksums()).toEqual(before);
    },
  );

  it('SQL in names is data, never code; unicode names survive exactly', async () => {
    // An APTA record: there the club is the team name's prefix, so the names reach `clubs` as written.
    const sample = validStats.find((s) => s.league_id === 'APTA_CHICAGO')!;
    expect(sample).toBeDefined();
    const injected = `Robert'); DROP TABLE teams; -- Club`;
    const unicode = 'Zürich Ténnis 東京 Club';
    const source = await variant('names', {
      'series_stats.json': withStats(
        { ...sample, team: `${injected} - ${String(sample.team).split(' - ').at(-1)}` },
        { ...sample, team: `${unicode} - ${String(sample.team).split(' - ').at(-1)}` },
      ),
    });
    const result = await run(source);
    expect(result.status, JSON.stringify(result.error)).toBe('SUCCEEDED');
    const clubs = await t.db.query<{ name: string }>(
      `select name from clubs where name like 'Robert%' or name like 'Zürich%'`,
    );
    expect(clubs.map((c) => c.name).sort()).toEqual([injected, unicode].sort());
    // The tables the "payload" names are all still there.
    const [{ n }] = await t.db.query<{ n: number }>(`select count(*)::int as n from teams`);
    expect(n).toBeGreaterThan(0);
  });
});
