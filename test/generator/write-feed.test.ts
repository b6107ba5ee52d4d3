import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import {
  type PlayerRecord,
  type ScheduleRecord,
  type SeriesStatsRecord,
  writeLeagueFeed,
  writeTeamsCsv,
  writeTeamsNdjson,
} from '../../src/generator/index.ts';
import { collectFeed, readFixture, shapeOf, SNAPSHOTS } from './collect.ts';

const tmp = await mkdtemp(path.join(os.tmpdir(), 'bpetl-generator-'));
afterAll(() => rm(tmp, { recursive: true, force: true }));

const FILES = ['series_stats.json', 'schedules.json', 'players.json'] as const;
const digest = async (dir: string) =>
  Promise.all(
    FILES.map(async (f) =>
      createHash('sha256')
        .update(await readFile(path.join(dir, f)))
        .digest('hex'),
    ),
  );
const readJson = async <T>(dir: string, file: string) =>
  JSON.parse(await readFile(path.join(dir, file), 'utf8')) as T[];

describe('writeLeagueFeed', () => {
  it('writes byte-identical files for the same seed, different ones for another seed', async () => {
    const a = await writeLeagueFeed(path.join(tmp, 'a'), { seed: 7, teams: 300 });
    const b = await writeLeagueFeed(path.join(tmp, 'b'), { seed: 7, teams: 300 });
    const c = await writeLeagueFeed(path.join(tmp, 'c'), { seed: 8, teams: 300 });
    expect(await digest(a.dir)).toEqual(await digest(b.dir));
    const [x, y] = [await digest(a.dir), await digest(c.dir)];
    for (let i = 0; i < FILES.length; i++) expect(x[i], FILES[i]).not.toBe(y[i]);
  });

  it('writes valid JSON arrays in the layout and counts it reports', async () => {
    const dir = path.join(tmp, 'layout');
    const result = await writeLeagueFeed(dir, { seed: 3, teams: 200 });
    const feed = collectFeed({ seed: 3, teams: 200 });
    expect(result.teams).toBe(200);
    expect(await readJson(dir, 'series_stats.json')).toEqual(feed.seriesStats);
    expect(await readJson(dir, 'schedules.json')).toEqual(feed.schedules);
    expect(await readJson(dir, 'players.json')).toEqual(feed.players);
    expect(result.seriesStats).toBe(feed.seriesStats.length);
    expect(result.schedules).toBe(feed.schedules.length);
    expect(result.players).toBe(feed.players.length);
    let bytes = 0;
    for (const f of FILES) bytes += (await stat(path.join(dir, f))).size;
    expect(result.bytes).toBe(bytes);
    // The scraper's own layout: two-space indentation, one key per line, no trailing newline.
    const text = await readFile(path.join(dir, 'players.json'), 'utf8');
    expect(text.startsWith('[\n  {\n    "League": ')).toBe(true);
    expect(text.endsWith('\n  }\n]')).toBe(true);
  });

  it('writes `[]` for a league-less feed and one record per line when compact', async () => {
    const empty = await writeLeagueFeed(path.join(tmp, 'empty'), { seed: 1, teams: 50, leagues: [] });
    expect(empty.players).toBe(0);
    expect(await readFile(path.join(tmp, 'empty', 'players.json'), 'utf8')).toBe('[]');
    const compact = await writeLeagueFeed(path.join(tmp, 'compact'), { seed: 1, teams: 50, compact: true });
    const lines = (await readFile(path.join(tmp, 'compact', 'series_stats.json'), 'utf8')).split('\n');
    expect(lines).toHaveLength(compact.seriesStats + 2);
  });

  it('gives every record a shape the real feeds have, and has every shape they have', async () => {
    const dir = path.join(tmp, 'shapes');
    await writeLeagueFeed(dir, { seed: 11, teams: 300 });
    for (const file of FILES) {
      const real = new Set<string>();
      for (const snapshot of SNAPSHOTS) {
        for (const r of readFixture<object>(snapshot, file)) real.add(shapeOf(r));
      }
      const generated = new Set((await readJson<object>(dir, file)).map(shapeOf));
      // Fixtures without `League` are a quirk the real snapshots only show on practices.
      const allowed = new Set(real);
      if (file === 'schedules.json') {
        for (const s of real) {
          allowed.add(
            s
              .split(',')
              .filter((k) => k !== 'League')
              .join(','),
          );
        }
      }
      for (const s of generated) expect(allowed.has(s), `${file}: ${s}`).toBe(true);
      for (const s of real) expect(generated.has(s), `${file} lacks ${s}`).toBe(true);
    }
  });

  it('uses no real player id and no real club name', async () => {
    const dir = path.join(tmp, 'names');
    await writeLeagueFeed(dir, { seed: 5, teams: 2000 });
    const text = (await Promise.all(FILES.map((f) => readFile(path.join(dir, f), 'utf8')))).join('\n');
    const realIds = new Set<string>();
    const realClubs = new Set<string>();
    const add = (name: string) => {
      const clean = name.replace(/\s+/g, ' ').trim();
      if (clean.length >= 4 && !/^(BYE|TBD|Legends)$/i.test(clean)) realClubs.add(clean);
    };
    for (const snapshot of SNAPSHOTS) {
      for (const p of readFixture<PlayerRecord>(snapshot, 'players.json')) {
        add(p.Club.replace(/ \d+[ab]?$/, ''));
        realIds.add(p['Player ID']);
      }
      for (const r of readFixture<SeriesStatsRecord>(snapshot, 'series_stats.json')) {
        add(r.league_id === 'CITA' ? r.team : r.team.split(/ - \d| S\d| \d/)[0]);
      }
      for (const r of readFixture<ScheduleRecord>(snapshot, 'schedules.json')) {
        if ('Practice' in r) add(r.Practice);
        else add(r.location);
      }
    }
    expect(realClubs.size).toBeGreaterThan(50);
    // Real ids share one scheme prefix; neither it nor any real id may appear in generated output.
    const realPrefix = `${[...realIds][0]!.split('-')[0]}-`;
    expect([...realIds].every((id) => id.startsWith(realPrefix))).toBe(true);
    expect(text.includes(realPrefix)).toBe(false);
    const generatedIds = [...text.matchAll(/"Player ID":\s*"([^"]+)"/g)].map((m) => m[1]!);
    expect(generatedIds.length).toBeGreaterThan(1000);
    expect(generatedIds.filter((id) => realIds.has(id))).toEqual([]);
    const generated = collectFeed({ seed: 5, teams: 2000 }).teams;
    const ours = new Set(generated.flatMap((t) => [t.club, t.baseClub]).map((c) => c.toLowerCase()));
    const lowerText = text.toLowerCase();
    for (const club of realClubs) {
      expect(ours.has(club.toLowerCase()), club).toBe(false);
      expect(lowerText.includes(`"${club.toLowerCase()}`), club).toBe(false);
    }
  });

  it('streams a 100,000-team feed without holding it in memory', async () => {
    const dir = path.join(tmp, 'large');
    const before = process.memoryUsage().heapUsed;
    const result = await writeLeagueFeed(dir, { seed: 'large', teams: 100_000, compact: true });
    const grown = process.memoryUsage().heapUsed - before;
    expect(result.teams).toBe(100_000);
    expect(result.players).toBeGreaterThan(1_000_000);
    expect(result.schedules).toBeGreaterThan(700_000);
    // The players file alone is about 400 MB; a writer that built it as one string could not stay this small.
    expect(grown).toBeLessThan(200 * 1024 * 1024);
    const stats = await readJson<SeriesStatsRecord>(dir, 'series_stats.json');
    expect(stats).toHaveLength(result.seriesStats);
    expect((await stat(path.join(dir, 'players.json'))).size).toBeGreaterThan(300 * 1024 * 1024);
    await rm(dir, { recursive: true, force: true });
  }, 120_000);
});

describe('canonical teams files', () => {
  it('writes CSV and NDJSON with league, club, series, team_name, one row per distinct team', async () => {
    const options = { seed: 9, teams: 250 };
    const teams = collectFeed(options).teams;
    const csvFile = path.join(tmp, 'teams.csv');
    const ndjsonFile = path.join(tmp, 'teams.ndjson');
    expect(await writeTeamsCsv(csvFile, options)).toBe(250);
    expect(await writeTeamsNdjson(ndjsonFile, options)).toBe(250);

    const csv = (await readFile(csvFile, 'utf8')).trimEnd().split('\n');
    expect(csv[0]).toBe('league,club,series,team_name');
    expect(csv).toHaveLength(251);
    const rows = (await readFile(ndjsonFile, 'utf8'))
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toEqual(
      teams.map((t) => ({ league: t.league, club: t.club, series: t.series, team_name: t.teamName })),
    );
    expect(Object.keys(rows[0])).toEqual(['league', 'club', 'series', 'team_name']);
    expect(csv.slice(1)).toEqual(teams.map((t) => [t.league, t.club, t.series, t.teamName].join(',')));
  });
});
