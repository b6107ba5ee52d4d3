import { parseCount, parseFeedDate, parseFeedTime, parseRating } from './feed-values.ts';
import { type LeagueCode, normaliseLeagueCode } from './leagues.ts';
import { describe, RecordCheck } from './record-check.ts';
import type { FileSummary, SourceItem } from './records.ts';
import { splitScheduleTeam } from './schedule-names.ts';
import type { SourceState } from './source-state.ts';
import { type IdentityResult, type TeamIdentity, teamIdentity, type TeamNameInput } from './team-identity.ts';
import { normaliseName } from './text.ts';
import { formatCount } from './warnings.ts';

export interface RowContext {
  state: SourceState;
  file: FileSummary;
  /** The feed's own league (its directory is named after one), used for rows that name none. */
  defaultLeague: LeagueCode | null;
  /** The records at hand hold no escapes or raw controls (see ElementBatch.plain). */
  plain: boolean;
}

export type RowHandler = (value: unknown, index: number, context: RowContext) => SourceItem[];

/** Validate, skip or turn one element into items; bookkeeping of the file's counts happens here. */
export function handleRow(
  handler: RowHandler,
  value: unknown,
  index: number,
  context: RowContext,
): SourceItem[] {
  context.file.read++;
  const items = handler(value, index, context);
  let rejection = false;
  for (const item of items) {
    if (item.kind === 'rejection') rejection = true;
    context.state.count(item);
  }
  if (rejection) context.file.rejected++;
  return items;
}

function rejected(check: RecordCheck): SourceItem[] {
  return check.rejections.map((rejection) => ({ kind: 'rejection', rejection }));
}

/** The row's league from the first of `fields` that is set, else the feed's; null when out of scope. */
function leagueOf(
  record: Record<string, unknown>,
  fields: string[],
  check: RecordCheck,
  context: RowContext,
): LeagueCode | 'skip' | null {
  let league: LeagueCode | null = null;
  let field: string | undefined;
  for (const name of fields) {
    const value = record[name];
    if (value !== undefined && value !== null && value !== '') {
      field = name;
      break;
    }
  }
  if (field) {
    league = normaliseLeagueCode(record[field]);
    if (!league) {
      check.reject(field, 'is not a known league (APTA_CHICAGO, NSTF, CNSWPL, CITA)', record[field]);
      return null;
    }
  } else {
    league = context.defaultLeague;
    if (!league) {
      check.reject(fields[0], 'is missing, and the feed directory does not name a league', undefined);
      return null;
    }
  }
  if (!context.state.inScope(league)) {
    context.file.skipped++;
    return 'skip';
  }
  return league;
}

/** A team's identity from its names, remembered: one team's records repeat the same ones. */
function lookupIdentity(state: SourceState, input: TeamNameInput): IdentityResult {
  const last = state.lastIdentity;
  // Consecutive records of one team repeat the same names: comparing them is cheaper than hashing
  // a joined key.
  if (
    last &&
    last.input.league === input.league &&
    last.input.series === input.series &&
    last.input.team === input.team &&
    last.input.club === input.club
  ) {
    return last.result;
  }
  const key = `${input.league}\u0000${input.series ?? ''}\u0000${input.team ?? ''}\u0000${input.club ?? ''}`;
  const result = state.identities.get(key) ?? state.identities.remember(key, teamIdentity(input));
  state.lastIdentity = { input, result };
  return result;
}

/** The identity, or null with the reason rejected into `check` under the record's own field names. */
function identified(
  check: RecordCheck,
  fields: { team: string; series: string },
  input: TeamNameInput,
  result: IdentityResult,
): TeamIdentity | null {
  if (result.ok) return result.identity;
  const field = result.field === 'team' ? fields.team : fields.series;
  check.reject(field, result.reason, result.field === 'team' ? input.team : input.series);
  return null;
}

function identify(
  check: RecordCheck,
  context: RowContext,
  fields: { team: string; series: string },
  input: TeamNameInput,
): TeamIdentity | null {
  return identified(check, fields, input, lookupIdentity(context.state, input));
}

export const statsRow: RowHandler = (value, index, context) => {
  const check = new RecordCheck(context.file.file, index, context.state.maxLength);
  const record = check.object(value, context.plain);
  if (!record) return rejected(check);
  const league = leagueOf(record, ['league_id', 'League', 'source_league'], check, context);
  if (league === 'skip') return [];
  const team = check.text(record, 'team', true);
  const series = check.text(record, 'series');
  const count = (field: string) => check.parsed(record, field, parseCount, 'a whole number ≥ 0');
  const numbers = {
    points: count('points'),
    matchesWon: count('matches.won'),
    matchesLost: count('matches.lost'),
    matchesTied: count('matches.tied'),
    linesWon: count('lines.won'),
    linesLost: count('lines.lost'),
    linesFor: count('lines.for'),
    linesRet: count('lines.ret'),
    setsWon: count('sets.won'),
    setsLost: count('sets.lost'),
    gamesWon: count('games.won'),
    gamesLost: count('games.lost'),
  };
  if (!check.ok || !league) return rejected(check);
  const identity = identify(check, context, { team: 'team', series: 'series' }, { league, series, team });
  if (!identity) return rejected(check);
  if (!context.state.firstTime('stats', identity.canonicalKey, context.file)) return [];

  const source = { file: context.file.file, index };
  const items: SourceItem[] = [];
  const newTeam = context.state.newTeam(identity, source);
  if (newTeam) items.push(newTeam);
  items.push({
    kind: 'stats',
    record: {
      league,
      teamKey: identity.canonicalKey,
      series: identity.seriesName,
      teamName: identity.teamName,
      ...numbers,
      source,
    },
  });
  return items;
};

/** Captain markers in every spelling the scrapers used, any case; anything else is a warning. */
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

function scheduleDate(value: unknown): string | undefined {
  return typeof value === 'string' ? parseFeedDate(value.trim()) : undefined;
}

function scheduleTime(value: unknown): string | null | undefined {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? parseFeedTime(value.trim()) : undefined;
}

export const scheduleRow: RowHandler = (value, index, context) => {
  const check = new RecordCheck(context.file.file, index, context.state.maxLength);
  const record = check.object(value, context.plain);
  if (!record) return rejected(check);
  const league = leagueOf(record, ['League', 'source_league'], check, context);
  if (league === 'skip') return [];
  const date = check.parsed(record, 'date', scheduleDate, 'a date MM/DD/YYYY');
  const time = check.parsed(record, 'time', scheduleTime, 'a time like "06:30 pm"');
  return 'Practice' in record
    ? practice(record, league, date, time, check, index, context)
    : fixture(record, league, date, time, check, index, context);
};

function practice(
  record: Record<string, unknown>,
  league: LeagueCode | null,
  date: string,
  time: string | null,
  check: RecordCheck,
  index: number,
  context: RowContext,
): SourceItem[] {
  const club = check.text(record, 'Practice', true);
  const seriesField = 'Series' in record ? 'Series' : 'series';
  const series = check.text(record, seriesField, true);
  if (!check.ok || !league) return rejected(check);
  const identity = identify(
    check,
    context,
    { team: 'Practice', series: seriesField },
    { league, series, team: club },
  );
  if (!identity) return rejected(check);
  if (
    !context.state.firstTime('practice', `${identity.canonicalKey}\u0000${date}\u0000${time}`, context.file)
  ) {
    return [];
  }
  return [
    {
      kind: 'practice',
      record: {
        league,
        club,
        series: identity.seriesName,
        seriesDisplay: identity.seriesDisplayName,
        teamKey: identity.canonicalKey,
        practiceName: `${club} Practice - ${identity.seriesDisplayName}`,
        date,
        time,
        source: { file: context.file.file, index },
      },
    },
  ];
}

/**
 * A fixture side must be present, but may be empty: feeds send a bye's side as `BYE - 11`, as
 * ` - 9 SW` or as nothing at all (with location `BYE`). Two empty sides are rejected below.
 */
function fixtureSide(
  check: RecordCheck,
  record: Record<string, unknown>,
  field: 'home_team' | 'away_team',
): string {
  if (record[field] === undefined || record[field] === null) {
    check.reject(field, 'is missing', record[field]);
    return '';
  }
  return check.text(record, field);
}

/** The identity of one side of a fixture; null for a bye (or a side rejected into `check`). */
function fixtureTeam(
  record: Record<string, unknown>,
  field: 'home_team' | 'away_team',
  league: LeagueCode,
  series: string,
  check: RecordCheck,
  context: RowContext,
): TeamIdentity | null {
  const raw = record[field];
  // Sides are remembered with their identity: one lookup per side instead of two. (A side that is
  // not a string was rejected before this is called.)
  const key = `${league}\u0000${String(raw)}\u0000${series}`;
  let known = context.state.fixtureSides.get(key);
  if (!known) {
    const side = splitScheduleTeam(league, raw, series);
    const input = side.bye ? null : { league, series: side.series, team: side.team };
    known = context.state.fixtureSides.remember(
      key,
      input ? { bye: false, input, result: lookupIdentity(context.state, input) } : { bye: true },
    );
  }
  return known.bye ? null : identified(check, { team: field, series: 'series' }, known.input, known.result);
}

function fixture(
  record: Record<string, unknown>,
  league: LeagueCode | null,
  date: string,
  time: string | null,
  check: RecordCheck,
  index: number,
  context: RowContext,
): SourceItem[] {
  const homeTeam = fixtureSide(check, record, 'home_team');
  const awayTeam = fixtureSide(check, record, 'away_team');
  const location = check.text(record, 'location');
  const series = check.text(record, 'series');
  if (!check.ok || !league) return rejected(check);

  const home = fixtureTeam(record, 'home_team', league, series, check, context);
  const away = fixtureTeam(record, 'away_team', league, series, check, context);
  if (!check.ok) return rejected(check);
  if (!home && !away) {
    check.reject('home_team', 'both sides of the fixture are byes', homeTeam);
    return rejected(check);
  }
  const key = `${league}\u0000${date}\u0000${home?.canonicalKey ?? homeTeam}\u0000${away?.canonicalKey ?? awayTeam}`;
  if (!context.state.firstTime('fixture', key, context.file)) return [];

  const source = { file: context.file.file, index };
  const items: SourceItem[] = [];
  for (const identity of [home, away]) {
    const newTeam = identity && context.state.newTeam(identity, source);
    if (newTeam) items.push(newTeam);
  }
  items.push({
    kind: 'fixture',
    record: {
      league,
      date,
      time,
      homeTeam,
      awayTeam,
      homeTeamName: home?.teamName ?? null,
      awayTeamName: away?.teamName ?? null,
      homeKey: home?.canonicalKey ?? null,
      awayKey: away?.canonicalKey ?? null,
      location,
      series: (home ?? away)!.seriesName,
      source,
    },
  });
  return items;
}
