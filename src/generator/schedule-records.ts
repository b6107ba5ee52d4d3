import type { FixtureRecord, PracticeRecord, ScheduleRecord } from './feed-records.ts';
import type { FeedLayout, SeriesInfo, TeamInfo } from './layout.ts';
import type { LeagueCode } from './league-codes.ts';
import { type Random, randomFor, unitFor } from './random.ts';

/**
 * schedules.json: a round robin per series (BYEs where APTA lists them), practice times of the clubs
 * that have them, and the quirks of each league's spelling of a fixture.
 */

const SEASON_START = Date.UTC(2024, 8, 24);
const PRACTICE_START = Date.UTC(2024, 11, 7);
const DAY = 86_400_000;

type ByeStyle = 'named' | 'blank' | null;

/** A fixture's place in its feed: league, series, round, pairing. */
type FixtureKey = readonly [LeagueCode, number, number, number];

/** What the schedule needs of the other records: the league field's spelling, who practises. */
export interface ScheduleHooks {
  leagueField(league: LeagueCode, forced: boolean, ...key: Array<string | number>): string;
  practices(team: TeamInfo): boolean;
}

export class ScheduleMaker {
  constructor(
    private readonly layout: FeedLayout,
    private readonly seed: string,
    private readonly rounds: number,
    private readonly hooks: ScheduleHooks,
  ) {}

  *scheduleOf(series: SeriesInfo): Generator<ScheduleRecord> {
    const { league, size } = series;
    const teams = Array.from({ length: size }, (_, slot) => this.layout.team(series, slot));
    const bye = byeStyle(this.seed, series);
    const n = size % 2 === 0 ? size : size + 1;
    const withSeriesKey = hasSeriesKey(this.seed, this.layout.variant, series);
    const seriesRng = randomFor(this.seed, 'series-schedule', league, series.index);
    const time = fixtureTime(league, seriesRng);
    if (size >= 2) {
      for (let r = 0; r < this.rounds; r++) {
        const turn = r % (n - 1);
        const at = (p: number) => (p === 0 ? 0 : 1 + ((p - 1 + turn) % (n - 1)));
        for (let i = 0; i < n / 2; i++) {
          let a = at(i);
          let b = at(n - 1 - i);
          if ((r + i) % 2 === 1) [a, b] = [b, a];
          const date = formatDate(SEASON_START + (r * 7 + (series.index % 3)) * DAY);
          const key = [league, series.index, r, i] as const;
          if (a >= size || b >= size) {
            if (bye === null) continue;
            const opponent = teams[a >= size ? b : a];
            yield this.fixture(series, key, {
              date,
              time: bye === 'named' ? time : '',
              home_team: byeName(this.seed, this.layout.variant, series),
              away_team: opponent.scheduleName,
              location: bye === 'named' ? opponent.baseClub : 'BYE',
              withSeriesKey,
            });
            continue;
          }
          yield this.fixture(series, key, {
            date,
            time: league === 'CITA' ? citaTime(this.seed, key) : time,
            home_team: teams[a].scheduleName,
            away_team: teams[b].scheduleName,
            location: location(league, teams[a], teams[b]),
            withSeriesKey,
          });
        }
      }
    }
    for (const team of teams) if (this.hooks.practices(team)) yield* practiceRows(team);
  }

  private fixture(
    series: SeriesInfo,
    key: FixtureKey,
    row: {
      date: string;
      time: string;
      home_team: string;
      away_team: string;
      location: string;
      withSeriesKey: boolean;
    },
  ): FixtureRecord {
    const [league, s, r, i] = key;
    const record: FixtureRecord = {
      date: row.date,
      time: row.time,
      home_team: row.home_team,
      away_team: row.away_team,
      location: row.location,
    } as FixtureRecord;
    if (row.withSeriesKey) record.series = series.name;
    const forcedNoLeague = league === 'APTA_CHICAGO' && s === 2 && r === 0 && i === 0;
    if (!forcedNoLeague && unitFor(this.seed, 'no-league', league, s, r, i) >= 0.003) {
      record.League = this.hooks.leagueField(league, s === 0 && r === 0 && i === 0, 'fixture', s, r, i);
    }
    record.source_league = league;
    return record;
  }
}

function* practiceRows(team: TeamInfo): Generator<PracticeRecord> {
  for (let w = 0; w < 6; w++) {
    yield {
      date: formatDate(PRACTICE_START + w * 7 * DAY),
      time: '10:30 AM',
      Practice: team.playerClub,
      Series: team.series.name,
      source_league: team.league,
    };
  }
}

/** Only APTA lists BYEs: `BYE - 22` as a team, or (newer scrapes) ` - 22` at location `BYE`. */
export function byeStyle(seed: string, series: SeriesInfo): ByeStyle {
  if (series.league !== 'APTA_CHICAGO' || series.size % 2 === 0) return null;
  if (series.index === 1) return 'named';
  if (series.index === 3) return 'blank';
  return unitFor(seed, 'bye-style', series.index) < 0.5 ? 'named' : 'blank';
}

/** How a BYE is named where its series lists one. */
export function byeName(seed: string, variant: FeedLayout['variant'], series: SeriesInfo): string {
  const style = byeStyle(seed, series);
  if (variant === 'alternate-apta-spelling') return style === 'named' ? 'BYE' : '';
  return style === 'named' ? `BYE - ${series.code}` : ` - ${series.code}`;
}

function hasSeriesKey(seed: string, variant: FeedLayout['variant'], series: SeriesInfo): boolean {
  if (series.league !== 'APTA_CHICAGO' || variant === 'alternate-apta-spelling') return true;
  if (series.index === 0) return false;
  if (series.index === 1) return true;
  return unitFor(seed, 'series-key', series.index) < 0.5;
}

function fixtureTime(league: LeagueCode, rng: Random): string {
  switch (league) {
    case 'APTA_CHICAGO':
      return '06:30 pm';
    case 'NSTF':
      return '06:00 pm';
    case 'CNSWPL':
      return rng.pick(['09:00 am', '07:00 pm', '12:00 pm', '06:30 pm']);
    case 'CITA':
      return '';
  }
}

function citaTime(seed: string, key: FixtureKey): string {
  const u = unitFor(seed, 'cita-time', ...key);
  return u < 0.92 ? '' : ['06:00 pm', '05:00 pm', '10:00 am', '07:00 pm'][Math.floor((u - 0.92) * 50) % 4];
}

function location(league: LeagueCode, home: TeamInfo, away: TeamInfo): string {
  if (league === 'CITA') return 'TBD';
  return league === 'APTA_CHICAGO' ? away.baseClub : home.baseClub;
}

function formatDate(ms: number): string {
  const d = new Date(ms);
  const mm = String(d.getUTCMonth() + 1).padStart(2, '0');
  const dd = String(d.getUTCDate()).padStart(2, '0');
  return `${mm}/${dd}/${d.getUTCFullYear()}`;
}
