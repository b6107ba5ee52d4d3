import type { LeagueCode } from '../../sources/leagues.ts';
import type { Rejection, SourceSummary } from '../../sources/records.ts';
import type { ImportWarning } from '../../sources/warnings.ts';
import { MAX_REPORTED_REJECTIONS } from './collect.ts';

export interface TableCounts {
  inserted: number;
  updated: number;
  unchanged: number;
  retired: number;
}

export interface ImportStats {
  source: { kind: SourceSummary['kind']; path: string; files: SourceSummary['files'] };
  /** Leagues refreshed: those present in the source plus those named by `leagues`. */
  scope: LeagueCode[];
  dryRun: boolean;
  records: {
    read: number;
    teams: number;
    players: number;
    fixtures: number;
    stats: number;
    practices: number;
  };
  duplicates: number;
  rejected: number;
  /** The first rejections (all of them up to a cap), each naming file, record, field and reason. */
  rejections: Rejection[];
  tables: Record<
    | 'leagues'
    | 'clubs'
    | 'series'
    | 'clubLeagues'
    | 'seriesLeagues'
    | 'teams'
    | 'players'
    | 'fixtures'
    | 'seriesStats',
    TableCounts
  >;
  /** Per league in scope: active teams before, and how many the feed no longer lists. */
  shrink: Shrink[];
  /** Per league whose players the source lists: active players before, and how many it no longer lists. */
  playerShrink: Shrink[];
  /** What the import tolerated instead of rejecting, and what it did (see sources/warnings.ts). */
  warnings: ImportWarning[];
  /** Leagues whose teams came from the players file: the source has no team list for them. */
  teamsFromPlayers: string[];
  /** Players who came under a new id and kept their row; user rows that followed them, per reference. */
  playerIds: { changed: number; moved: Record<string, number> };
  /** Tables whose new rows were bulk-loaded, their foreign keys checked in one pass (see insertRows). */
  bulkLoaded: string[];
}

export interface Shrink {
  league: string;
  active: number;
  missing: number;
  fraction: number;
}

export interface ImportProgress {
  done: number;
  total: number | null;
  message: string;
}

/** Rejections found in SQL (players no team matches) join the reader's, up to the cap. */
export function addRejections(
  stats: ImportStats,
  found: { rejected: number; rejections: Rejection[] },
): void {
  if (found.rejected === 0) return;
  stats.rejected += found.rejected;
  stats.rejections.push(...found.rejections.slice(0, MAX_REPORTED_REJECTIONS - stats.rejections.length));
  const players = stats.source.files.find((file) => file.file === 'players.json');
  if (players) players.rejected += found.rejected;
}

export function zero(): TableCounts {
  return { inserted: 0, updated: 0, unchanged: 0, retired: 0 };
}
