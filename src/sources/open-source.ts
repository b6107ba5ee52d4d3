import { stat } from 'node:fs/promises';
import { extname } from 'node:path';

import { AppError } from '../errors.ts';
import { describeSpecial, unreadable } from './feed-file.ts';
import { openLeagueFeed } from './league-feed.ts';
import type { ReadOptions, Source } from './records.ts';
import { openTeamsFile, teamsFileFormat } from './teams-file.ts';

/**
 * Open whatever `path` is: a directory is a league feed, a .csv/.ndjson/.jsonl file a teams file.
 * Anything else is SOURCE_UNREADABLE, saying why.
 */
export async function openSource(path: string, options: ReadOptions = {}): Promise<Source> {
  const label = options.label ?? path;
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw unreadable(err, label);
  }
  if (info.isDirectory()) return openLeagueFeed(path, options);
  if (!info.isFile()) {
    throw new AppError(
      'SOURCE_UNREADABLE',
      `${label} is ${describeSpecial(info)}, not a league feed directory or a teams file`,
      {
        file: label,
      },
    );
  }
  if (teamsFileFormat(path)) return openTeamsFile(path, options);
  const hint =
    extname(path).toLowerCase() === '.json'
      ? 'a single JSON file is not a source: pass the league feed directory that holds it'
      : 'expected a league feed directory or a teams file (.csv, .ndjson, .jsonl)';
  throw new AppError('SOURCE_UNREADABLE', `${label}: ${hint}`, { file: label });
}
