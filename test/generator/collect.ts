import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { PlayerRecord, ScheduleRecord, SeriesStatsRecord } from '../../src/generator/feed-records.ts';
import { type GeneratedTeam, generateLeagueFeed, type LeagueFeedOptions } from '../../src/generator/index.ts';

export interface CollectedFeed {
  teams: GeneratedTeam[];
  seriesStats: SeriesStatsRecord[];
  schedules: ScheduleRecord[];
  players: PlayerRecord[];
}

/** A whole generated feed in memory; for the small feeds tests look at. */
export function collectFeed(options: LeagueFeedOptions): CollectedFeed {
  const feed = generateLeagueFeed(options);
  return {
    teams: [...feed.teams()],
    seriesStats: [...feed.seriesStats()],
    schedules: [...feed.schedules()],
    players: [...feed.players()],
  };
}

export const FIXTURES_DIR = path.resolve(import.meta.dirname, '../../../shared/fixtures/leagues');
export const SNAPSHOTS = ['2025-06-21', '2025-06-30'] as const;

export function readFixture<T>(snapshot: string, file: string): T[] {
  return JSON.parse(readFileSync(path.join(FIXTURES_DIR, snapshot, file), 'utf8')) as T[];
}

/** Keys of a record, nested objects as `parent.child`, sorted: the record's shape. */
export function shapeOf(record: object): string {
  const keys: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (value !== null && typeof value === 'object') {
      for (const inner of Object.keys(value as object)) keys.push(`${key}.${inner}`);
    } else keys.push(key);
  }
  return keys.sort().join(',');
}
