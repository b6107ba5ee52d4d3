import type { LeagueCode } from './leagues.ts';
import type { ImportWarning } from './warnings.ts';

/** Where a record came from: the file (as named in the source) and its 0-based position in it. */
export interface RecordSource {
  file: string;
  index: number;
}

export interface TeamRecord {
  league: LeagueCode;
  /** Club name; carries the team marker where one club fields several teams in a series (`Elmstead T2`). */
  club: string;
  /** Canonical series name (`Chicago 20`). */
  series: string;
  /** The series as the feed spelled it (`Series 20`). */
  seriesDisplay: string;
  /** Canonical team name (`Valley Lo - 20`). */
  teamName: string;
  /** The feed's spelling when it differs from `teamName` (`Valley Lo 20`), else null. */
  teamAlias: string | null;
  /** (league, club, series) compared case- and space-insensitively: the database's unique team key. */
  canonicalKey: string;
  /** Named by a team list (series_stats, schedules, a teams file); false: only by a players file. */
  listed: boolean;
  source: RecordSource;
}

export interface PlayerRecord {
  /** The scraper's player id (`tenniscores_player_id`), in whichever scheme the scrape used. */
  externalId: string;
  firstName: string;
  lastName: string;
  league: LeagueCode;
  /** The team as the record names it (`Series Mapping ID`, or `Team` in the newer format). */
  team: string;
  /**
   * The canonical name and key the record's own names give, or null when they give none. A hint:
   * the import attaches the player to a team of the source's team lists (see players.sql.ts),
   * never to a team only this record names.
   */
  teamName: string | null;
  teamKey: string | null;
  /** The record's club and series as spelled: hints that break ties between teams, nothing more. */
  club: string;
  series: string;
  /** Canonical series the record's names give (`Chicago 7`), or the series as spelled. */
  seriesName: string;
  /** Null where the feed says `N/A`, nothing, or something that cannot be read (a warning). */
  pti: number | null;
  wins: number;
  losses: number;
  /** True for captains (`C`, `Yes`, …) and co-captains (`CC`). */
  captain: boolean;
  captainRole: 'captain' | 'co-captain' | null;
  source: RecordSource;
}

export interface FixtureRecord {
  league: LeagueCode;
  /** ISO date, yyyy-mm-dd. */
  date: string;
  /** 24-hour hh:mm, or null when the feed gives no time. */
  time: string | null;
  /** The side as the feed wrote it (whitespace normalised), e.g. `Winnetka 1 - Series 1` or `BYE - 11`. */
  homeTeam: string;
  awayTeam: string;
  /** Canonical team names; null for a bye. */
  homeTeamName: string | null;
  awayTeamName: string | null;
  /** Canonical team keys; null for a bye. */
  homeKey: string | null;
  awayKey: string | null;
  location: string;
  /** Canonical series of the match. */
  series: string;
  source: RecordSource;
}

/**
 * A practice slot from a feed. The platform stores practices as schedule rows named
 * `<Club> Practice - <Series>`; those belong to users, so the pipeline never imports these as fixtures.
 */
export interface PracticeRecord {
  league: LeagueCode;
  club: string;
  series: string;
  seriesDisplay: string;
  teamKey: string;
  /** `<Club> Practice - <Series>`, as the platform names practice rows. */
  practiceName: string;
  date: string;
  time: string | null;
  source: RecordSource;
}

export interface StatsRecord {
  league: LeagueCode;
  teamKey: string;
  series: string;
  teamName: string;
  points: number;
  matchesWon: number;
  matchesLost: number;
  matchesTied: number;
  linesWon: number;
  linesLost: number;
  linesFor: number;
  linesRet: number;
  setsWon: number;
  setsLost: number;
  gamesWon: number;
  gamesLost: number;
  source: RecordSource;
}

/** One problem with one record; the record is skipped, the run goes on. */
export interface Rejection {
  file: string;
  index: number;
  /** The field at fault as the feed names it; empty when the record as a whole is wrong. */
  field: string;
  reason: string;
  /** The offending value, cut to a readable length. */
  value: string;
  /** Byte offset in the file of what is wrong, when the reader knows it (bytes that are not UTF-8). */
  offset?: number;
}

export type SourceItem =
  | { kind: 'team'; record: TeamRecord }
  | { kind: 'stats'; record: StatsRecord }
  | { kind: 'player'; record: PlayerRecord }
  | { kind: 'fixture'; record: FixtureRecord }
  | { kind: 'practice'; record: PracticeRecord }
  | { kind: 'rejection'; rejection: Rejection };

export type RecordKind = Exclude<SourceItem['kind'], 'rejection'>;

/** Counts per file, filled in while a source is read. */
export interface FileSummary {
  file: string;
  present: boolean;
  /** Array elements (or lines, or CSV rows) read. */
  read: number;
  /** Records rejected (one record may carry several rejections). */
  rejected: number;
  /** Second and later records of a key already seen: dropped, not rejected. */
  duplicates: number;
  /** Records of leagues outside the `leagues` option. */
  skipped: number;
}

export interface SourceSummary {
  kind: 'league-feed' | 'teams-file';
  path: string;
  files: FileSummary[];
  /** Leagues that had at least one accepted record: the import's scope. */
  leagues: LeagueCode[];
  counts: Record<RecordKind, number>;
  rejections: number;
  duplicates: number;
  /** What the reader tolerated and how (unreadable optional values); one entry per kind and league. */
  warnings: ImportWarning[];
}

export interface ReadOptions {
  /** Only records of these leagues (any spelling `normaliseLeagueCode` knows). */
  leagues?: string[];
  /** Longest string value accepted in any field; default 200. */
  maxStringLength?: number;
  /**
   * Drop repeated stats, player, fixture and practice records here (default true). A consumer that
   * de-duplicates downstream (the import does, in SQL) turns it off: the keys seen grow with the feed,
   * about 160 bytes a record, and are the reader's only memory that does. Off, a team record may also
   * come more than once (only the last 50,000 teams are remembered).
   */
  dedupeRecords?: boolean;
  /** Every file read must resolve (symlinks followed) inside this directory: the API's import directory. */
  root?: string;
  /** How the source is named in messages and rejections, instead of its path on this machine. */
  label?: string;
}

/**
 * A readable source: iterate `batches()` or `items()`, once; `summary()` is complete after the
 * iteration ends.
 */
export interface Source {
  kind: SourceSummary['kind'];
  path: string;
  batches(): AsyncIterable<SourceItem[]>;
  items(): AsyncIterable<SourceItem>;
  summary(): SourceSummary;
}
