import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDataSource } from '../../../src/db/data-source.ts';
import { writeLeagueFeed } from '../../../src/generator/index.ts';
import { importTeams } from '../../../src/services/import/import-teams.ts';
import { useTestDatabase } from '../../helpers/database.ts';

/**
 * Repeated records of one natural key are dropped in SQL, the first one winning, on both paths: a
 * first import inserts straight from staging, a re-import matches staged rows to existing ones.
 */
const db = useTestDatabase();
let dataSource: DataSource;
let dir: string;
let plain: string;
type Json = Record<string, unknown>;
let player: Json;
let fixture: Json;
let fixtureAt: number;

beforeAll(async () => {
  dataSource = await openDataSource(db.url, { poolSize: 3 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-duplicates-'));
  plain = path.join(dir, 'plain');
  await writeLeagueFeed(plain, { seed: 'import-duplicates', teams: 40 });
  const players = await readJson(plain, 'players.json');
  const schedules = await readJson(plain, 'schedules.json');
  player = players[0]!;
  fixtureAt = schedules.findIndex((record) => !('Practice' in record));
  fixture = schedules[fixtureAt]!;
});
afterAll(async () => {
  await dataSource?.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function readJson(feed: string, file: string): Promise<Json[]> {
  return JSON.parse(await readFile(path.join(feed, file), 'utf8')) as Json[];
}

/** The plain feed with one more player and fixture record, each a repeat of an existing key. */
async function withRepeats(name: string, where: 'before' | 'after', playerName: string, location: string) {
  const feed = path.join(dir, name);
  await writeLeagueFeed(feed, { seed: 'import-duplicates', teams: 40 });
  for (const [file, at, repeat] of [
    ['players.json', 0, { ...player, 'First Name': playerName }],
    ['schedules.json', fixtureAt, { ...fixture, location }],
  ] as const) {
    const records = await readJson(feed, file);
    records.splice(where === 'before' ? at : at + 1, 0, repeat);
    await writeFile(path.join(feed, file), JSON.stringify(records));
  }
  return feed;
}

/** No stored row carries a value a repeated record brought. */
const NONE_STORED = { 'Later Name': 0, 'Earlier Name': 0, 'Later Court': 0, 'Earlier Court': 0 };

/** How many stored rows carry each value a repeated record brought. */
async function stored(): Promise<Record<string, number>> {
  const [counts] = await db.query<Record<string, number>>(
    `select (select count(*)::int from players where first_name = 'Later Name') as "Later Name",
            (select count(*)::int from players where first_name = 'Earlier Name') as "Earlier Name",
            (select count(*)::int from schedule where location = 'Later Court') as "Later Court",
            (select count(*)::int from schedule where location = 'Earlier Court') as "Earlier Court"`,
  );
  return counts!;
}

describe('repeated records in a feed', () => {
  it('a first import keeps the first record of each key and counts the rest as duplicates', async () => {
    const baseline = await importTeams(dataSource, { path: plain, dryRun: true });
    const stats = await importTeams(dataSource, {
      path: await withRepeats('later', 'after', 'Later Name', 'Later Court'),
    });
    expect(stats.duplicates - baseline.duplicates).toBe(2);
    expect(stats.tables.players.inserted).toBe(baseline.tables.players.inserted);
    expect(stats.tables.fixtures.inserted).toBe(baseline.tables.fixtures.inserted);
    expect(await stored()).toEqual(NONE_STORED);
  });

  it('a re-import matches the first record too: a later repeat changes nothing, an earlier one wins', async () => {
    const unchanged = await importTeams(dataSource, {
      path: await withRepeats('later-again', 'after', 'Later Name', 'Later Court'),
    });
    expect(unchanged.tables.players).toMatchObject({ inserted: 0, updated: 0 });
    expect(unchanged.tables.fixtures).toMatchObject({ inserted: 0, updated: 0 });
    expect(await stored()).toEqual(NONE_STORED);

    const earlier = await importTeams(dataSource, {
      path: await withRepeats('earlier', 'before', 'Earlier Name', 'Earlier Court'),
    });
    expect(earlier.tables.players).toMatchObject({ inserted: 0, updated: 1 });
    expect(earlier.tables.fixtures).toMatchObject({ inserted: 0, updated: 1 });
    expect(await stored()).toEqual({ ...NONE_STORED, 'Earlier Name': 1, 'Earlier Court': 1 });
  });
});
