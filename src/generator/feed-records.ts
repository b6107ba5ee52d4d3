/** The scraper's record shapes, key order included (the writer keeps it, so files read like the real ones). */

export interface SeriesStatsRecord {
  series: string;
  team: string;
  league_id: string;
  points: number;
  matches: { won: number; lost: number; tied: number; percentage: string };
  lines: { won: number; lost: number; for: number; ret: number; percentage: string };
  sets: { won: number; lost: number; percentage: string };
  games: { won: number; lost: number; percentage: string };
  source_league: string;
}

/** A fixture; APTA rows may lack `series`, and a few rows of any league lack `League`. */
export interface FixtureRecord {
  date: string;
  time: string;
  home_team: string;
  away_team: string;
  location: string;
  series?: string;
  League?: string;
  source_league: string;
}

/** A practice the scraper lists among fixtures: no teams, no `League`. */
export interface PracticeRecord {
  date: string;
  time: string;
  Practice: string;
  Series: string;
  source_league: string;
}

export type ScheduleRecord = FixtureRecord | PracticeRecord;

/** A player in the scraper's older format (`Series Mapping ID`) or its newer one (`Team`, `Source URL`, …). */
export interface PlayerRecord {
  League: string;
  Series: string;
  'Series Mapping ID'?: string;
  /** The newer format's name for `Series Mapping ID`. */
  Team?: string;
  Club: string;
  'Location ID'?: string;
  'Player ID': string;
  'First Name': string;
  'Last Name': string;
  /** A number as a string (`"57.2"`) or `"N/A"`. */
  PTI: string;
  Wins: string;
  Losses: string;
  'Win %': string;
  /** Older format: '' for a player, 'C' for the captain, 'CC' for a co-captain; newer: 'Yes' or ''. */
  Captain: string;
  'Source URL'?: string;
  validation_issues?: string[];
  source_league: string;
}

export function isPractice(record: ScheduleRecord): record is PracticeRecord {
  return 'Practice' in record;
}
