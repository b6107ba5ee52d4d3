import { AppError } from '../errors.ts';
import { BoundedMemo } from './bounded-memo.ts';
import { type LeagueCode, normaliseLeagueCode, unknownLeagueMessage } from './leagues.ts';
import { DEFAULT_MAX_STRING_LENGTH } from './record-check.ts';
import type {
  FileSummary,
  ReadOptions,
  RecordKind,
  SourceItem,
  SourceSummary,
  TeamRecord,
} from './records.ts';
import type { IdentityResult, TeamIdentity, TeamNameInput } from './team-identity.ts';
import { WarningLog } from './warnings.ts';

/** A schedule side as read: a bye, or a team's names and its identity. */
export type FixtureSide = { bye: true } | { bye: false; input: TeamNameInput; result: IdentityResult };

/** Team keys remembered when records are not de-duplicated here. */
const RECENT_TEAMS = 50_000;

/** What one read of a source remembers: keys already emitted (for de-duplication) and the counts. */
export class SourceState {
  readonly leagueFilter: Set<LeagueCode> | null;
  readonly maxLength: number;
  private readonly dedupe: boolean;
  private readonly teams = new Set<string>();
  /** Keys a team list (series_stats, schedules, a teams file) named, as opposed to only a players file. */
  private readonly listed = new Set<string>();
  readonly warnings = new WarningLog();
  private readonly seen = new Map<string, Set<string>>();
  private readonly leagues = new Set<LeagueCode>();
  private readonly files: FileSummary[] = [];
  private readonly counts: Record<RecordKind, number> = {
    team: 0,
    stats: 0,
    player: 0,
    fixture: 0,
    practice: 0,
  };
  private rejections = 0;
  /** Team identities and fixture sides by their inputs: one team's records repeat the same ones. */
  readonly identities = new BoundedMemo<IdentityResult>();
  readonly fixtureSides = new BoundedMemo<FixtureSide>();
  /** The last identity looked up, with its inputs (see lookupIdentity in feed-rows.ts). */
  lastIdentity: { input: TeamNameInput; result: IdentityResult } | null = null;

  constructor(
    readonly kind: SourceSummary['kind'],
    readonly path: string,
    options: ReadOptions,
  ) {
    this.leagueFilter = parseLeagueFilter(options.leagues);
    this.maxLength = options.maxStringLength ?? DEFAULT_MAX_STRING_LENGTH;
    this.dedupe = options.dedupeRecords ?? true;
  }

  file(name: string, present: boolean): FileSummary {
    const summary: FileSummary = { file: name, present, read: 0, rejected: 0, duplicates: 0, skipped: 0 };
    this.files.push(summary);
    return summary;
  }

  /** The live per-file counters, by file name. */
  summaryFiles(): Map<string, FileSummary> {
    return new Map(this.files.map((file) => [file.file, file]));
  }

  inScope(league: LeagueCode): boolean {
    return !this.leagueFilter || this.leagueFilter.has(league);
  }

  /** True the first time a key is seen in a namespace; later times count as duplicates of `file`. */
  firstTime(namespace: string, key: string, file: FileSummary): boolean {
    if (!this.dedupe) return true;
    let keys = this.seen.get(namespace);
    if (!keys) this.seen.set(namespace, (keys = new Set()));
    if (keys.has(key)) {
      file.duplicates++;
      return false;
    }
    keys.add(key);
    return true;
  }

  /**
   * The team record to emit before the first record that refers to a team, or null if emitted
   * already. A team named first by a players file is emitted again when a team list names it: the
   * import keeps a players file's teams only for leagues that have no team list (see CREATE_TEAM_KEYS).
   */
  newTeam(identity: TeamIdentity, source: TeamRecord['source'], fromList = true): SourceItem | null {
    const key = identity.canonicalKey;
    if (fromList ? this.listed.has(key) : this.teams.has(key)) return null;
    // Without de-duplication the consumer drops repeats itself: remember only recent teams (records
    // of one team sit together), so memory stays bounded however many teams the feed has.
    if (!this.dedupe && this.teams.size >= RECENT_TEAMS) {
      this.teams.clear();
      this.listed.clear();
    }
    this.teams.add(key);
    if (fromList) this.listed.add(key);
    return {
      kind: 'team',
      record: {
        league: identity.league,
        club: identity.clubName,
        series: identity.seriesName,
        seriesDisplay: identity.seriesDisplayName,
        teamName: identity.teamName,
        teamAlias: identity.teamAlias,
        canonicalKey: key,
        listed: fromList,
        source,
      },
    };
  }

  count(item: SourceItem): void {
    if (item.kind === 'rejection') {
      this.rejections++;
      return;
    }
    this.counts[item.kind]++;
    this.leagues.add(item.record.league);
  }

  summary(): SourceSummary {
    return {
      kind: this.kind,
      path: this.path,
      files: this.files.map((file) => ({ ...file })),
      leagues: [...this.leagues].sort(),
      counts: { ...this.counts },
      rejections: this.rejections,
      duplicates: this.files.reduce((sum, file) => sum + file.duplicates, 0),
      warnings: this.warnings.list(),
    };
  }
}

function parseLeagueFilter(leagues: string[] | undefined): Set<LeagueCode> | null {
  if (!leagues || leagues.length === 0) return null;
  const codes = new Set<LeagueCode>();
  for (const league of leagues) {
    const code = normaliseLeagueCode(league);
    if (!code) {
      throw new AppError('INVALID_INPUT', unknownLeagueMessage(league, ' in the leagues option'), { league });
    }
    codes.add(code);
  }
  return codes;
}
