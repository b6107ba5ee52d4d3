import {
  identified,
  identify,
  leagueOf,
  lookupIdentity,
  rejected,
  type RowContext,
  type RowHandler,
} from './feed-rows.ts';
import { parseFeedDate, parseFeedTime } from './feed-values.ts';
import { type LeagueCode } from './leagues.ts';
import { RecordCheck } from './record-check.ts';
import type { SourceItem } from './records.ts';
import { splitScheduleTeam } from './schedule-names.ts';
import { type TeamIdentity } from './team-identity.ts';

/** schedules.json: fixtures between two teams, and practice times of a club in a series. */

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
