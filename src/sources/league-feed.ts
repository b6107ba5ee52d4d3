import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

import { AppError } from '../errors.ts';
import { checkFeedFile, unreadable } from './feed-file.ts';
import { handleRow, type RowContext, type RowHandler } from './feed-rows.ts';
import { readJsonArray } from './json-array.ts';
import { normaliseLeagueCode } from './leagues.ts';
import { playerRow } from './player-row.ts';
import { readOnce } from './read-once.ts';
import { locateBadBytes } from './record-check.ts';
import type { ReadOptions, Rejection, Source, SourceItem } from './records.ts';
import { scheduleRow } from './schedule-row.ts';
import { SourceState } from './source-state.ts';
import { statsRow } from './stats-row.ts';
import { Utf8Decoder } from './utf8.ts';

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
  const label = options.label ?? dir;
  const state = new SourceState('league-feed', label, options);
  let info;
  try {
    info = await stat(dir);
  } catch (err) {
    throw unreadable(err, label);
  }
  if (!info.isDirectory()) {
    throw new AppError('SOURCE_UNREADABLE', `${label} is not a directory`, { file: label });
  }

  const present: (typeof FEED_FILES)[number][] = [];
  for (const file of FEED_FILES) {
    const exists = await fileExists(join(dir, file.name), file.name);
    // Each file on its own: a link inside the feed may lead out of the import directory.
    if (exists) await checkFeedFile(join(dir, file.name), file.name, options.root);
    state.file(file.name, exists);
    if (exists) present.push(file);
  }
  if (present.length === 0) {
    throw new AppError(
      'SOURCE_UNREADABLE',
      `${label} is not a league feed: it holds none of ${FEED_FILES.map((file) => file.name).join(', ')}`,
      { file: label },
    );
  }

  // A feed directory named after a league (leagues/APTA_CHICAGO/) is that league's feed.
  const defaultLeague = normaliseLeagueCode(basename(dir));
  const summaries = state.summaryFiles();
  return {
    kind: 'league-feed',
    path: label,
    summary: () => state.summary(),
    ...readOnce(label, () => readFeed(dir, present, state, defaultLeague, summaries, options.root)),
  };
}

async function* readFeed(
  dir: string,
  present: typeof FEED_FILES,
  state: SourceState,
  defaultLeague: RowContext['defaultLeague'],
  summaries: ReturnType<SourceState['summaryFiles']>,
  root: string | undefined,
): AsyncGenerator<SourceItem[]> {
  for (const { name, handler } of present) {
    const context: RowContext = { state, file: summaries.get(name)!, defaultLeague, plain: false };
    const decoder = new Utf8Decoder();
    for await (const batch of readJsonArray(join(dir, name), name, { root, decoder })) {
      context.plain = batch.plain;
      const items: SourceItem[] = [];
      for (let i = 0; i < batch.values.length; i++) {
        for (const item of handleRow(handler, batch.values[i], batch.index + i, context)) items.push(item);
      }
      if (decoder.invalid.count > 0) locateBadBytes(rejectionsIn(items), decoder.invalid);
      yield items;
    }
  }
}

function* rejectionsIn(items: SourceItem[]): Generator<Rejection> {
  for (const item of items) if (item.kind === 'rejection') yield item.rejection;
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
