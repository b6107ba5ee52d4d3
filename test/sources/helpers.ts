import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll } from 'vitest';

import type {
  FixtureRecord,
  PlayerRecord,
  PracticeRecord,
  Rejection,
  Source,
  SourceSummary,
  StatsRecord,
  TeamRecord,
} from '../../src/sources/index.ts';

export const FIXTURES = resolve(import.meta.dirname, '../../../shared/fixtures/leagues');

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test file. */
export function tempDir(name = 'feed'): string {
  const dir = mkdtempSync(join(tmpdir(), `bpetl-sources-${name}-`));
  tempDirs.push(dir);
  return dir;
}

/** Write a feed: values are serialised as JSON unless they are strings (written verbatim). */
export function writeFeed(files: Record<string, unknown>, dir = tempDir()): string {
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

export interface Collected {
  teams: TeamRecord[];
  stats: StatsRecord[];
  players: PlayerRecord[];
  fixtures: FixtureRecord[];
  practices: PracticeRecord[];
  rejections: Rejection[];
  summary: SourceSummary;
}

export async function collect(source: Source): Promise<Collected> {
  const out: Omit<Collected, 'summary'> = {
    teams: [],
    stats: [],
    players: [],
    fixtures: [],
    practices: [],
    rejections: [],
  };
  for await (const item of source.items()) {
    if (item.kind === 'rejection') out.rejections.push(item.rejection);
    else if (item.kind === 'team') out.teams.push(item.record);
    else if (item.kind === 'stats') out.stats.push(item.record);
    else if (item.kind === 'player') out.players.push(item.record);
    else if (item.kind === 'fixture') out.fixtures.push(item.record);
    else out.practices.push(item.record);
  }
  return { ...out, summary: source.summary() };
}

/** A series_stats row as the scraper writes it. */
export function statsRow(
  league: string | undefined,
  series: string,
  team: string,
  extra: Record<string, unknown> = {},
) {
  return {
    series,
    team,
    ...(league ? { league_id: league, source_league: league } : {}),
    points: 3,
    matches: { won: 2, lost: 1, tied: 0, percentage: '66.7%' },
    lines: { won: 7, lost: 5, for: 0, ret: 0, percentage: '58.3%' },
    sets: { won: 15, lost: 11, percentage: '57.7%' },
    games: { won: 100, lost: 90, percentage: '52.6%' },
    ...extra,
  };
}

export function playerRow(
  league: string,
  series: string,
  team: string,
  club: string,
  extra: Record<string, unknown> = {},
) {
  return {
    League: league,
    Series: series,
    'Series Mapping ID': team,
    Club: club,
    'Location ID': club.toUpperCase().replace(/\W+/g, '_'),
    'Player ID': `test-${team}-${Math.random().toString(36).slice(2, 8)}`,
    'First Name': 'Ada',
    'Last Name': 'Lovelace',
    PTI: '45.5',
    Wins: '3',
    Losses: '1',
    'Win %': '75.0%',
    Captain: '',
    source_league: league,
    ...extra,
  };
}

export function fixtureRow(
  league: string | undefined,
  home: string,
  away: string,
  extra: Record<string, unknown> = {},
) {
  return {
    date: '01/09/2025',
    time: '09:00 am',
    home_team: home,
    away_team: away,
    location: 'Somewhere',
    ...(league ? { League: league, source_league: league } : {}),
    ...extra,
  };
}
