/**
 * Writes generated feeds to disk as streams: records are serialised one by one into ~64 KB chunks and
 * handed to the file through stream.pipeline, which waits for the file to drain. Memory stays flat
 * whatever the size, so a 1,000,000-team feed (about 12M player records) fits in a small heap.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { type GeneratedTeam, generateLeagueFeed, type LeagueFeedOptions } from './league-feed.ts';

export interface WriteFeedOptions extends LeagueFeedOptions {
  /** One record per line instead of the scraper's two-space indentation (smaller, faster). */
  compact?: boolean;
}

export interface WriteFeedResult {
  dir: string;
  files: { seriesStats: string; schedules: string; players: string };
  /** Distinct teams in the written leagues. */
  teams: number;
  /** Records per file. */
  seriesStats: number;
  schedules: number;
  players: number;
  bytes: number;
}

const CHUNK = 64 * 1024;

export const FEED_FILES = {
  seriesStats: 'series_stats.json',
  schedules: 'schedules.json',
  players: 'players.json',
} as const;

export async function writeLeagueFeed(dir: string, options: WriteFeedOptions): Promise<WriteFeedResult> {
  await mkdir(dir, { recursive: true });
  const feed = generateLeagueFeed(options);
  const files = {
    seriesStats: path.join(dir, FEED_FILES.seriesStats),
    schedules: path.join(dir, FEED_FILES.schedules),
    players: path.join(dir, FEED_FILES.players),
  };
  const compact = options.compact ?? false;
  const stats = await writeJsonArray(files.seriesStats, feed.seriesStats(), compact);
  const schedules = await writeJsonArray(files.schedules, feed.schedules(), compact);
  const players = await writeJsonArray(files.players, feed.players(), compact);
  const teams = feed.leagues.reduce((sum, league) => sum + feed.layout.teamCount(league), 0);
  return {
    dir,
    files,
    teams,
    seriesStats: stats.records,
    schedules: schedules.records,
    players: players.records,
    bytes: stats.bytes + schedules.bytes + players.bytes,
  };
}

/** Streams `[record, …]` to a file in the scraper's layout; returns how many records and bytes. */
export async function writeJsonArray(
  file: string,
  records: Iterable<unknown>,
  compact = false,
): Promise<{ records: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  const format = compact
    ? (r: unknown) => JSON.stringify(r)
    : (r: unknown) => '  ' + JSON.stringify(r, null, 2).replace(/\n/g, '\n  ');
  function* chunks(): Generator<string> {
    let chunk = '';
    for (const record of records) {
      chunk += (count === 0 ? '[\n' : ',\n') + format(record);
      count++;
      if (chunk.length >= CHUNK) {
        bytes += Buffer.byteLength(chunk);
        yield chunk;
        chunk = '';
      }
    }
    chunk += count === 0 ? '[]' : '\n]';
    bytes += Buffer.byteLength(chunk);
    yield chunk;
  }
  await pipeline(Readable.from(chunks(), { objectMode: false }), createWriteStream(file));
  return { records: count, bytes };
}

/** Streams lines to a file; returns how many lines. */
async function writeLines(file: string, lines: Iterable<string>): Promise<number> {
  let count = 0;
  function* chunks(): Generator<string> {
    let chunk = '';
    for (const line of lines) {
      chunk += line + '\n';
      count++;
      if (chunk.length >= CHUNK) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk) yield chunk;
  }
  await mkdir(path.dirname(file), { recursive: true });
  await pipeline(Readable.from(chunks(), { objectMode: false }), createWriteStream(file));
  return count;
}

export const TEAMS_FILE_COLUMNS = ['league', 'club', 'series', 'team_name'] as const;

function canonicalRow(team: GeneratedTeam): [string, string, string, string] {
  return [team.league, team.club, team.series, team.teamName];
}

function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The canonical teams file as CSV (header `league,club,series,team_name`); returns the row count. */
export async function writeTeamsCsv(file: string, options: LeagueFeedOptions): Promise<number> {
  const feed = generateLeagueFeed(options);
  function* lines(): Generator<string> {
    yield TEAMS_FILE_COLUMNS.join(',');
    for (const team of feed.teams()) yield canonicalRow(team).map(csvField).join(',');
  }
  return (await writeLines(file, lines())) - 1;
}

/** The canonical teams file as NDJSON (`{"league","club","series","team_name"}` per line); returns the row count. */
export async function writeTeamsNdjson(file: string, options: LeagueFeedOptions): Promise<number> {
  const feed = generateLeagueFeed(options);
  function* lines(): Generator<string> {
    for (const team of feed.teams()) {
      const [league, club, series, team_name] = canonicalRow(team);
      yield JSON.stringify({ league, club, series, team_name });
    }
  }
  return writeLines(file, lines());
}
