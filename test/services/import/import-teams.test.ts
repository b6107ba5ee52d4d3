import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDataSource } from '../../../src/db/data-source.ts';
import { importTeams } from '../../../src/services/import/import-teams.ts';
import { tableChecksums } from '../../helpers/checksums.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { fixtureFeed } from '../../helpers/fixtures.ts';

const db = useTestDatabase();
let dataSource: DataSource;

beforeAll(async () => {
  dataSource = await openDataSource(db.url, { poolSize: 3 });
});
afterAll(async () => {
  await dataSource?.destroy();
});

describe('importTeams on the real feeds', () => {
  it('imports 2025-06-21 without rejecting a valid record', async () => {
    const stats = await importTeams(dataSource, { path: fixtureFeed('2025-06-21') });
    expect(stats.rejected).toBe(0);
    // The real files agree with each other: every player names a team of the team lists.
    expect(stats.warnings).toEqual([]);
    expect(stats.teamsFromPlayers).toEqual([]);
    expect(stats.scope).toEqual(['APTA_CHICAGO', 'CITA', 'CNSWPL', 'NSTF']);
    expect(stats.tables.teams.inserted).toBeGreaterThan(800);
  });

  it('re-imports the same feed without changing a row', async () => {
    await expectUnchanged('2025-06-21');
  });

  const TABLES = [
    'clubLeagues',
    'clubs',
    'fixtures',
    'leagues',
    'players',
    'series',
    'seriesLeagues',
    'seriesStats',
    'teams',
  ];

  /** The counters say nothing changed, for every table, and so do the rows themselves. */
  async function expectUnchanged(snapshot: '2025-06-21' | '2025-06-30'): Promise<void> {
    const before = await tableChecksums(db);
    const stats = await importTeams(dataSource, { path: fixtureFeed(snapshot) });
    expect(Object.keys(stats.tables).sort()).toEqual(TABLES);
    for (const [table, counts] of Object.entries(stats.tables)) {
      expect({ table, inserted: counts.inserted, updated: counts.updated, retired: counts.retired }).toEqual({
        table,
        inserted: 0,
        updated: 0,
        retired: 0,
      });
    }
    expect(stats.tables.teams.unchanged).toBeGreaterThan(800);
    expect(await tableChecksums(db)).toEqual(before);
  }

  it('refreshes to 2025-06-30 keeping every team id', async () => {
    const before = await db.query<{ id: number; key: string }>(
      `select t.id, t.league_id || ':' || t.club_id || ':' || t.series_id as key from teams t`,
    );
    const stats = await importTeams(dataSource, { path: fixtureFeed('2025-06-30') });
    expect([stats.rejected, stats.warnings]).toEqual([0, []]);
    const after = new Map(
      (
        await db.query<{ id: number; key: string }>(
          `select t.id, t.league_id || ':' || t.club_id || ':' || t.series_id as key from teams t`,
        )
      ).map((r) => [r.id, r.key]),
    );
    for (const team of before) expect(after.get(team.id)).toBe(team.key);
    expect(stats.tables.teams.retired).toBeGreaterThan(0);
  });

  it('re-imports 2025-06-30 without changing a row', async () => {
    await expectUnchanged('2025-06-30');
  });
});
