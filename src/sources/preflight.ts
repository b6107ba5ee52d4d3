import { readdir, stat } from 'node:fs/promises';
import { extname } from 'node:path';

import { AppError } from '../errors.ts';
import { describeSpecial, unreadable } from './feed-file.ts';
import { FEED_FILES } from './league-feed.ts';
import { normaliseLeagueCode, unknownLeagueMessage } from './leagues.ts';
import { teamsFileFormat } from './teams-file.ts';

/**
 * The checks an import can make in milliseconds, before any run is recorded or a database is
 * opened: the league codes are known, the path exists and is a league feed directory (holding at
 * least one feed file) or a teams file. Throws the error opening the source would throw later.
 */
export async function preflightSource(
  path: string,
  options: { label?: string; leagues?: string[]; leagueOption?: string } = {},
): Promise<void> {
  const label = options.label ?? path;
  for (const league of options.leagues ?? []) {
    if (normaliseLeagueCode(league) === null) {
      throw new AppError('INVALID_INPUT', unknownLeagueMessage(league, options.leagueOption ?? ''), {
        league,
      });
    }
  }
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw unreadable(err, label);
  }
  if (info.isDirectory()) {
    let names: Set<string>;
    try {
      names = new Set(await readdir(path));
    } catch (err) {
      throw unreadable(err, label);
    }
    if (!FEED_FILES.some((file) => names.has(file.name))) {
      throw new AppError(
        'SOURCE_UNREADABLE',
        `${label} is not a league feed: it holds none of ${FEED_FILES.map((file) => file.name).join(', ')}`,
        { file: label },
      );
    }
    return;
  }
  if (!info.isFile()) {
    throw new AppError(
      'SOURCE_UNREADABLE',
      `${label} is ${describeSpecial(info)}, not a league feed directory or a teams file`,
      { file: label },
    );
  }
  if (teamsFileFormat(path)) return;
  const hint =
    extname(path).toLowerCase() === '.json'
      ? 'a single JSON file is not a source: pass the league feed directory that holds it'
      : 'expected a league feed directory or a teams file (.csv, .ndjson, .jsonl)';
  throw new AppError('SOURCE_UNREADABLE', `${label}: ${hint}`, { file: label });
}
