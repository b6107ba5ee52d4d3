import { leagueOf, lookupIdentity, rejected, type RowContext, type RowHandler } from './feed-rows.ts';
import { parseCount, parseRating } from './feed-values.ts';
import { type LeagueCode } from './leagues.ts';
import { describe, RecordCheck } from './record-check.ts';
import type { SourceItem } from './records.ts';
import { normaliseName } from './text.ts';
import { formatCount } from './warnings.ts';

/** players.json: one player a row, attached to the team its row names. */

const CAPTAIN_ROLES: Record<string, 'captain' | 'co-captain' | null> = {
  '': null,
  NO: null,
  N: null,
  FALSE: null,
  C: 'captain',
  YES: 'captain',
  Y: 'captain',
  TRUE: 'captain',
  CC: 'co-captain',
};

/** Keys of a player record the reader checks; others (`Source URL`, `validation_issues`, …) are ignored. */
const PLAYER_KEYS: ReadonlySet<string> = new Set([
  'League',
  'source_league',
  'Player ID',
  'First Name',
  'Last Name',
  'Series Mapping ID',
  'Team',
  'Club',
  'Series',
  'PTI',
  'Wins',
  'Losses',
  'Captain',
]);

/**
 * One optional value of a player record: a value that cannot be read is stored as `fallback` and
 * counted in a warning; only identifying fields reject a record.
 */
function optional<T>(
  record: Record<string, unknown>,
  field: string,
  parse: (value: unknown) => T | undefined,
  fallback: T,
  where: { context: RowContext; index: number; league: LeagueCode },
): T {
  const value = record[field];
  const parsed = parse(value);
  if (parsed !== undefined) return parsed;
  const { context, index, league } = where;
  const stored = fallback === null ? 'null' : JSON.stringify(fallback);
  context.state.warnings.add(
    'VALUE_UNREADABLE',
    { file: context.file.file, league, subject: field },
    () => `record ${index}: ${field} is ${describe(value)}`,
    (count) => ({
      message: `${formatCount(count)} ${league} player records have a ${field} that cannot be read: stored as ${stored}`,
      action: `stored as ${stored}`,
    }),
  );
  return fallback;
}

function captainOf(value: unknown): 'captain' | 'co-captain' | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 'captain' : null;
  if (typeof value !== 'string') return undefined;
  return CAPTAIN_ROLES[normaliseName(value).toUpperCase()];
}

function hintText(value: unknown): string | undefined {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? normaliseName(value) : undefined;
}

export const playerRow: RowHandler = (value, index, context) => {
  const check = new RecordCheck(context.file.file, index, context.state.maxLength);
  const record = check.object(value, context.plain, PLAYER_KEYS);
  if (!record) return rejected(check);
  const league = leagueOf(record, ['League', 'source_league'], check, context);
  if (league === 'skip') return [];
  const externalId = check.text(record, 'Player ID', true);
  const firstName = check.text(record, 'First Name');
  const lastName = check.text(record, 'Last Name');
  if (!firstName && !lastName) {
    check.reject('Last Name', 'the player has neither a first nor a last name', '');
  }
  // The newer format names the team `Team`; the older one `Series Mapping ID`.
  const teamField =
    record['Series Mapping ID'] === undefined && 'Team' in record ? 'Team' : 'Series Mapping ID';
  const named = check.text(record, teamField);
  if (!check.ok || !league) return rejected(check);
  const where = { context, index, league };
  const club = optional(record, 'Club', hintText, '', where);
  const series = optional(record, 'Series', hintText, '', where);
  const team = named || club;
  if (!team) {
    check.reject(teamField, 'the player names no team (and no club to take it from)', record[teamField]);
    return rejected(check);
  }
  const pti = optional(record, 'PTI', parseRating, null, where);
  const wins = optional(record, 'Wins', parseCount, 0, where);
  const losses = optional(record, 'Losses', parseCount, 0, where);
  const captainRole = optional(record, 'Captain', captainOf, null, where);
  // The record's own names give a team only as a hint: the import attaches the player to a team of
  // the source's team lists, so an identity that cannot be read is no reason to reject it.
  const result = lookupIdentity(context.state, { league, series, team });
  const identity = result.ok ? result.identity : null;
  if (
    !context.state.firstTime('player', `${externalId}\u0000${identity?.canonicalKey ?? team}`, context.file)
  ) {
    return [];
  }

  const source = { file: context.file.file, index };
  const items: SourceItem[] = [];
  const newTeam = identity && context.state.newTeam(identity, source, false);
  if (newTeam) items.push(newTeam);
  items.push({
    kind: 'player',
    record: {
      externalId,
      firstName,
      lastName,
      league,
      team,
      teamName: identity?.teamName ?? null,
      teamKey: identity?.canonicalKey ?? null,
      club,
      series,
      seriesName: identity?.seriesName ?? series,
      pti,
      wins,
      losses,
      captain: captainRole !== null,
      captainRole,
      source,
    },
  });
  return items;
};
