/**
 * A synthetic league feed in the scraper's format, with every quirk of the real feeds: the four
 * team-name styles, two teams of one club in a series, duplicate records, practices and BYEs among
 * fixtures, rows without `League`, double spaces, clubs containing ` - `, PTI as text or "N/A",
 * counts as strings. Records are produced lazily so a feed of any size streams.
 */
import type { PlayerRecord, ScheduleRecord, SeriesStatsRecord } from './feed-records.ts';
import { FeedLayout, type LayoutOptions, type SeriesInfo, type TeamChange, type TeamInfo } from './layout.ts';
import { LEAGUE_CODES, type LeagueCode } from './league-codes.ts';
import { locationId, personName } from './names.ts';
import { hash32, randomFor, unitFor } from './random.ts';
import { byeName, byeStyle, ScheduleMaker } from './schedule-records.ts';
import { newFormat, percent, statsRecord } from './stats-records.ts';

export interface LeagueFeedOptions extends LayoutOptions {
  /** Only these leagues are written (the layout, and so every team, stays that of the full feed). */
  leagues?: readonly LeagueCode[];
  /** Leagues left out, as when a scrape failed for them. */
  omitLeagues?: readonly LeagueCode[];
  /** Spell some `League` fields otherwise (`aptachicago`, `nsft`, …). */
  messyLeagueCodes?: boolean;
  /** Average players per team over the whole feed (rosters vary by league); default 12. */
  playersPerTeam?: number;
  /** Average schedule rows per team; default 8. */
  fixturesPerTeam?: number;
  /** Players files of later scrapes that contradict the team lists (see PlayerVariant). */
  playerVariants?: readonly PlayerVariant[];
}

/**
 * Shapes later real scrapes gave the players file, while the team lists stayed as they were:
 * - `one-series`: every CNSWPL player names `Series 1`, with the club cut to its first word;
 * - `new-format`: CNSWPL players in the newer format (`Team`, `Captain: "Yes"`, `Source URL`,
 *   `validation_issues`);
 * - `no-division-marker`: APTA players of `SW` series name `Club 7` in `Series 7`, not `Club - 7 SW`;
 * - `new-ids`: half of the CNSWPL players under a second id scheme (`cnswpl_` + 16 hex digits, or
 *   `cnswpl_` + the old id's body);
 * - `cut`: the CNSWPL players cut to about 6 % (a scrape that broke).
 */
export type PlayerVariant = 'one-series' | 'new-format' | 'no-division-marker' | 'new-ids' | 'cut';

export interface GeneratedTeam {
  /** Position in the whole layout; the same team has the same index in every generation of a seed and size. */
  index: number;
  league: LeagueCode;
  /** Club as a canonical teams file names it (unique within its series and league). */
  club: string;
  /** Club without the marker that tells two teams of it apart (`I`/`II`, `T1`/`T2`, `a`/`b`). */
  baseClub: string;
  series: string;
  /** As series_stats spells it (with any double space or alias change). */
  teamName: string;
  /** As schedules spell it. */
  scheduleName: string;
  change: TeamChange | null;
  players: number;
  /** series_stats lists this team twice. */
  duplicated: boolean;
  /** The schedule lists practices of this team. */
  practices: boolean;
}

export interface LeagueFeed {
  readonly layout: FeedLayout;
  /** Leagues present in the output, in file order. */
  readonly leagues: readonly LeagueCode[];
  teams(): Generator<GeneratedTeam>;
  seriesStats(): Generator<SeriesStatsRecord>;
  schedules(): Generator<ScheduleRecord>;
  players(): Generator<PlayerRecord>;
}

/** The real files list CNSWPL first and APTA last. */
const FILE_ORDER: readonly LeagueCode[] = ['CNSWPL', 'CITA', 'NSTF', 'APTA_CHICAGO'];
const MESSY_CODES: Record<LeagueCode, readonly string[]> = {
  APTA_CHICAGO: ['aptachicago', 'apta_chicago'],
  NSTF: ['nsft', 'nstf'],
  CNSWPL: ['cnswpl'],
  CITA: ['cita'],
};
const BORROW_DISTANCE = 13;
// Rosters relative to the feed-wide average, as in the real feeds: NSTF rosters are large, CITA and
// CNSWPL's letter series list no players at all.
const ROSTER_FACTOR: Record<LeagueCode, number> = { APTA_CHICAGO: 1.25, NSTF: 2.4, CNSWPL: 1.33, CITA: 0 };

export function generateLeagueFeed(options: LeagueFeedOptions): LeagueFeed {
  for (const code of [...(options.leagues ?? []), ...(options.omitLeagues ?? [])]) {
    if (!LEAGUE_CODES.includes(code)) {
      throw new RangeError(`unknown league ${code}; known: ${LEAGUE_CODES.join(', ')}`);
    }
  }
  const layout = new FeedLayout(options);
  const leagues = FILE_ORDER.filter(
    (l) =>
      (options.leagues === undefined || options.leagues.includes(l)) && !options.omitLeagues?.includes(l),
  );
  const gen = new RecordMaker(layout, options);
  return {
    layout,
    leagues,
    *teams() {
      for (const team of eachTeam(layout, leagues)) yield gen.describe(team);
    },
    *seriesStats() {
      for (const league of leagues) {
        for (const series of layout.seriesOf(league)) {
          for (let slot = 0; slot < series.size; slot++) yield* gen.statsOf(layout.team(series, slot));
          const bye = gen.byeStats(series);
          if (bye) yield bye;
        }
      }
    },
    *schedules() {
      for (const league of leagues) {
        for (const series of layout.seriesOf(league)) yield* gen.scheduleOf(series);
      }
    },
    *players() {
      for (const team of eachTeam(layout, leagues)) yield* gen.playersOf(team);
    },
  };
}

function* eachTeam(layout: FeedLayout, leagues: readonly LeagueCode[]): Generator<TeamInfo> {
  for (const league of leagues) {
    for (const series of layout.seriesOf(league)) {
      for (let slot = 0; slot < series.size; slot++) yield layout.team(series, slot);
    }
  }
}

class RecordMaker {
  private readonly seed: string;
  private readonly tag: string;
  private readonly playersPerTeam: number;
  private readonly rounds: number;
  private readonly schedule: ScheduleMaker;

  constructor(
    private readonly layout: FeedLayout,
    private readonly options: LeagueFeedOptions,
  ) {
    this.seed = String(options.seed);
    this.tag = (hash32(this.seed, 'tag') % 36 ** 4).toString(36).padStart(4, '0');
    this.playersPerTeam = Math.max(3, Math.round(options.playersPerTeam ?? 12));
    // Each round gives every team one row in two, so rows per team = rounds / 2.
    this.rounds = Math.max(1, Math.round((options.fixturesPerTeam ?? 8) * 2));
    this.schedule = new ScheduleMaker(layout, this.seed, this.rounds, {
      leagueField: (league, forced, ...key) => this.leagueField(league, forced, ...key),
      practices: (team) => this.practices(team),
    });
  }

  *scheduleOf(series: SeriesInfo): Generator<ScheduleRecord> {
    yield* this.schedule.scheduleOf(series);
  }

  describe(team: TeamInfo): GeneratedTeam {
    return {
      index: team.index,
      league: team.league,
      club: team.club,
      baseClub: team.baseClub,
      series: team.series.name,
      teamName: team.teamName,
      scheduleName: team.scheduleName,
      change: team.change,
      players: this.rosterSize(team),
      duplicated: this.duplicated(team),
      practices: this.practices(team),
    };
  }

  rosterSize(team: TeamInfo): number {
    if (!team.hasPlayers) return 0;
    const mean = this.playersPerTeam * ROSTER_FACTOR[team.league];
    const spread = Math.max(1, Math.round(mean / 4));
    return randomFor(this.seed, 'roster-size', team.index).int(
      Math.round(mean) - spread,
      Math.round(mean) + spread,
    );
  }

  duplicated(team: TeamInfo): boolean {
    if (team.league !== 'CITA') return false;
    return (team.series.index === 0 && team.slot === 0) || unitFor(this.seed, 'duplicate', team.index) < 0.1;
  }

  practices(team: TeamInfo): boolean {
    if (team.league !== 'APTA_CHICAGO') return false;
    return (team.series.index === 0 && team.slot === 2) || unitFor(this.seed, 'practice', team.index) < 0.01;
  }

  *statsOf(team: TeamInfo): Generator<SeriesStatsRecord> {
    const rng = randomFor(this.seed, 'stats', team.index, team.change === 'roster' ? 1 : 0);
    yield statsRecord(team.series, team.teamName, rng);
    if (this.duplicated(team)) yield statsRecord(team.series, team.teamName, rng);
  }

  byeStats(series: SeriesInfo): SeriesStatsRecord | null {
    if (byeStyle(this.seed, series) !== 'named') return null;
    if (series.index !== 1 && unitFor(this.seed, 'bye-stats', series.index) >= 0.3) return null;
    return statsRecord(series, byeName(this.seed, this.layout.variant, series), null);
  }

  *playersOf(team: TeamInfo): Generator<PlayerRecord> {
    const count = this.rosterSize(team);
    const local = team.index - this.layout.globalIndex(team.league, 0);
    for (let p = 0; p < count; p++) {
      let owner = team;
      // Some players also play for another team of the league: same Player ID, another record.
      if (local >= BORROW_DISTANCE && unitFor(this.seed, 'borrow', team.index, p) < 0.08) {
        const other = this.layout.teamAt(team.league, local - BORROW_DISTANCE);
        if (p < this.rosterSize(other)) owner = other;
      }
      const generation = owner.change === 'roster' && p % 2 === 0 ? 1 : 0;
      const id = `gen-${this.tag}-${(owner.index * 64 + generation * 32 + p).toString(36)}`;
      const name = personName(hash32(this.seed, 'person', id));
      const rng = randomFor(this.seed, 'player', team.index, p, team.change === 'roster' ? 1 : 0);
      const wins = rng.int(0, 14);
      const losses = rng.int(0, 14);
      const pti =
        team.league === 'APTA_CHICAGO' && !rng.chance(0.04) ? (20 + rng.next() * 55).toFixed(1) : 'N/A';
      const forcedMessy = team.series.index === 0 && team.slot === 0 && p === 0;
      const record: PlayerRecord = {
        League: this.leagueField(team.league, forcedMessy, 'player', team.index, p),
        Series: team.playerSeries,
        'Series Mapping ID': team.teamName,
        Club: team.playerClub,
        'Location ID': locationId(team.playerClub),
        'Player ID': id,
        'First Name': name.first,
        'Last Name': name.last,
        PTI: pti,
        Wins: String(wins),
        Losses: String(losses),
        'Win %': percent(wins, wins + losses),
        Captain: p === 0 ? 'C' : p === 1 && rng.chance(0.6) ? 'CC' : '',
        source_league: team.league,
      };
      const varied = this.vary(record, team, p);
      if (varied) yield varied;
    }
  }

  /** The record as a later scrape's players file gives it (see PlayerVariant); null when cut. */
  private vary(record: PlayerRecord, team: TeamInfo, p: number): PlayerRecord | null {
    const variants = this.options.playerVariants ?? [];
    if (variants.length === 0) return record;
    if (team.league === 'CNSWPL') {
      if (variants.includes('cut') && unitFor(this.seed, 'cut', team.index, p) >= 0.06) return null;
      if (variants.includes('one-series')) {
        record.Series = 'Series 1';
        record.Club = team.baseClub.split(' ')[0]!;
      }
      if (variants.includes('new-ids') && p % 2 === 0) {
        const body = record['Player ID'].replace(/^gen-/, '');
        record['Player ID'] =
          p % 4 === 0
            ? `cnswpl_${hash32(body, 'id').toString(16).padStart(8, '0')}${hash32(body, 'id2').toString(16).padStart(8, '0')}`
            : `cnswpl_${body}`;
      }
      if (variants.includes('new-format')) return newFormat(record, team);
    }
    if (
      team.league === 'APTA_CHICAGO' &&
      variants.includes('no-division-marker') &&
      team.series.kind === 'sw'
    ) {
      const number = team.series.code.replace(/\s*SW$/, '');
      record['Series Mapping ID'] = `${team.club} ${number}`;
      record.Series = `Series ${number}`;
    }
    return record;
  }

  private leagueField(league: LeagueCode, forced: boolean, ...key: Array<string | number>): string {
    if (!this.options.messyLeagueCodes) return league;
    const u = unitFor(this.seed, 'messy', league, ...key);
    if (!forced && u >= 0.1) return league;
    const spellings = MESSY_CODES[league];
    return spellings[Math.floor(u * 1000) % spellings.length];
  }
}
