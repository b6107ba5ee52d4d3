/**
 * Warnings: what an import tolerated instead of rejecting, and what it did about it. A feed is
 * evidence, not truth; where its files contradict each other the import follows the team lists and
 * says so here, once per kind, file and league, with a count and one sample.
 */

export const IMPORT_WARNING_CODES = [
  'VALUE_UNREADABLE',
  'PLAYERS_MATCHED_BY_NAME',
  'PLAYERS_MATCHED_WITHOUT_MARKER',
  'PLAYERS_MATCHED_IN_DATABASE',
  'PLAYERS_UNMATCHED',
  'TEAMS_FROM_PLAYERS',
  'TEAM_LISTS_DISAGREE',
  'PLAYER_IDS_CHANGED',
] as const;

export type ImportWarningCode =
  /** An optional value (PTI, Wins, Losses, a hint) that cannot be read: stored as null or 0. */
  | 'VALUE_UNREADABLE'
  /** Player records whose own names give no team of the team lists: matched by team name. */
  | 'PLAYERS_MATCHED_BY_NAME'
  /** Matched to a team of the team lists whose name differs only by a division marker (`SW`, a letter). */
  | 'PLAYERS_MATCHED_WITHOUT_MARKER'
  /** Matched to an active team of the database that the source's team lists lack. */
  | 'PLAYERS_MATCHED_IN_DATABASE'
  /** Player records that match no team, or more than one: rejected. */
  | 'PLAYERS_UNMATCHED'
  /** A league with no team list in the source: its teams come from the players file. */
  | 'TEAMS_FROM_PLAYERS'
  /** schedules.json places a team of series_stats.json in another series: series_stats.json wins. */
  | 'TEAM_LISTS_DISAGREE'
  /** Players that came under a new id: their rows keep their ids and take the new one. */
  | 'PLAYER_IDS_CHANGED';

export interface ImportWarning {
  code: ImportWarningCode;
  /** The file the records came from, as named in the source. */
  file: string;
  league: string | null;
  /** Records concerned. */
  count: number;
  /** One of them, in words (record number and the values at issue). */
  sample: string;
  /** What the import did about them. */
  action: string;
  /** One line for a person: count, what is wrong, what was done. */
  message: string;
}

/** Warnings kept in a run's stats; more are merged into their kind's count. */
export const MAX_WARNINGS = 100;

type Describe = (count: number) => { message: string; action: string };

interface Entry {
  code: ImportWarningCode;
  file: string;
  league: string | null;
  count: number;
  sample: string;
  describe: Describe;
}

/** Accumulates warnings by (code, file, league, subject): counted, the first sample kept. */
export class WarningLog {
  private readonly entries = new Map<string, Entry>();

  add(
    code: ImportWarningCode,
    where: { file: string; league: string | null; subject?: string },
    sample: () => string,
    describe: Describe,
  ): void {
    const key = `${code}\u0000${where.file}\u0000${where.league ?? ''}\u0000${where.subject ?? ''}`;
    const entry = this.entries.get(key);
    if (entry) entry.count++;
    else if (this.entries.size < MAX_WARNINGS) {
      this.entries.set(key, {
        code,
        file: where.file,
        league: where.league,
        count: 1,
        sample: sample(),
        describe,
      });
    }
  }

  list(): ImportWarning[] {
    return [...this.entries.values()].map(({ describe, ...entry }) => ({
      ...entry,
      ...describe(entry.count),
    }));
  }
}

/** `1,776`: counts read as people read them. */
export function formatCount(count: number): string {
  return count.toLocaleString('en-US');
}
