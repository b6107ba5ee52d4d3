import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { AppError } from '../errors.ts';
import {
  handleRow,
  playerRow,
  type RowContext,
  type RowHandler,
  scheduleRow,
  statsRow,
} from './feed-rows.ts';
import { readJsonArray, unreadable } from './json-array.ts';
import { normaliseLeagueCode } from './leagues.ts';
import { readOnce } from './read-once.ts';
import type { ReadOptions, Source, SourceItem } from './records.ts';
import { SourceState } from './source-state.ts';

/**
 * The scraper's files, in the order they are read: teams come first from series_stats, so players
 * and fixtures usually refer to teams already emitted; any file may be missing (a partial scrape).
 */
export const FEED_FILES: readonly { name: string; handler: RowHandler }[] = [
  { name: 'series_stats.json', handler: statsRow },
  { name: 'players.json', handler: playerRow },
  { name: 'schedules.json', handler: scheduleRow },
];

/**
 * Open a league feed directory. Fails at once (SOURCE_UNREADABLE) when the path is not a readable
 * directory, holds none of the feed files, or holds a directory where a feed file should be;
 * malformed content fails while reading (INVALID_INPUT, naming file and position).
 */
export async function openLeagueFeed(dir: string, options: ReadOptions = {}): Promise<Source> {
  const state = new SourceState('league-feed', dir, options);
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    throw unreadable(err, dir);
  }
  if (!info.isDirectory()) {
    throw new AppError('SOURCE_UNREADABLE', `${dir} is not a directory`, { file: dir });
  }

  const present: (typeof FEED_FILES)[number][] = [];
  for (const file of FEED_FILES) {
    const exists = await fileExists(join(dir, file.name), file.name);
    state.file(file.name, exists);
    if (exists) present.push(file);
  }
  if (present.length === 0) {
    throw new AppError(
      'SOURCE_UNREADABLE',
      `${dir} is not a league feed: it holds none of ${FEED_FILES.map((file) => file.name).join(', ')}`,
      { file: dir },
    );
  }

  // A feed directory named after a league (leagues/APTA_CHICAGO/) is that league's feed.
  const defaultLeague = normaliseLeagueCode(basename(dir));
  const summaries = state.summaryFiles();
  return {
    kind: 'league-feed',
    path: dir,
    summary: () => state.summary(),
    ...readOnce(dir, () => readFeed(dir, present, state, defaultLeague, summaries)),
  };
}

async function* readFeed(
  dir: string,
  present: typeof FEED_FILES,
  state: SourceState,
  defaultLeague: RowContext['defaultLeague'],
  summaries: ReturnType<SourceState['summaryFiles']>,
): AsyncGenerator<SourceItem[]> {
  for (const { name, handler } of present) {
    const context: RowContext = { state, file: summaries.get(name)!, defaultLeague, plain: false };
    for await (const batch of readJsonArray(join(dir, name), name)) {
      context.plain = batch.plain;
      const items: SourceItem[] = [];
      for (let i = 0; i < batch.values.length; i++) {
        for (const item of handleRow(handler, batch.values[i], batch.index + i, context)) items.push(item);
      }
      yield items;
    }
  }
}

async function fileExists(path: string, label: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      throw new AppError('SOURCE_UNREADABLE', `${label} is a directory, expected a JSON file`, {
        file: label,
      });
    }
    return true;
  } catch (err) {
    if (err instanceof AppError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw unreadable(err, label);
  }
}
