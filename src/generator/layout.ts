/**
 * Where every generated team sits: how many teams each league gets, how they fall into series, which
 * club fills which slot, and how each league's style spells the team. Everything is a function of
 * (seed, size, options) and of the team's position, so any part of a 1,000,000-team feed can be
 * produced without holding the rest.
 */
import { LEAGUE_CODES, type LeagueCode } from './league-codes.ts';
import { CLUB_NAME_CAPACITY, clubName } from './names.ts';
import { hash32, randomFor, type Seed, unitFor } from './random.ts';
import { baseSeriesName, seriesCode, type SeriesKind, spellTeam, type TeamSpelling } from './spelling.ts';

export type { SeriesKind } from './spelling.ts';

/** Shares of distinct teams per league, as in the real snapshots (545 / 28 / 278 / 135 records). */
const SHARE: Record<LeagueCode, number> = { APTA_CHICAGO: 0.55, NSTF: 0.03, CNSWPL: 0.28, CITA: 0.14 };
const SERIES_SIZE: Record<LeagueCode, [number, number]> = {
  APTA_CHICAGO: [7, 12],
  NSTF: [4, 7],
  CNSWPL: [6, 12],
  CITA: [6, 11],
};
// Leagues start at different places in the shared club pool, so a club plays in several leagues
// without every league listing the same clubs in the same order.
const CLUB_OFFSET: Record<LeagueCode, number> = { APTA_CHICAGO: 0, NSTF: 3, CNSWPL: 11, CITA: 2 };
const MIN_CLUBS = 24;

export type TeamChange = 'alias' | 'roster';

export interface SeriesRename {
  from: string;
  to: string;
  /** Only in this league; by default in every league that has a series named `from`. */
  league?: LeagueCode;
}

export interface LayoutOptions {
  seed: Seed;
  teams: number;
  variant?: 'standard' | 'alternate-apta-spelling';
  renameSeries?: SeriesRename | readonly SeriesRename[];
  changeFraction?: number;
}

export interface SeriesInfo {
  league: LeagueCode;
  index: number;
  kind: SeriesKind;
  /** The series as series_stats, schedules and (APTA, NSTF) players name it. */
  name: string;
  /** The part of the name a team name repeats: `22`, `25 SW`, `2A`, `4.5 & Under Fri`. */
  code: string;
  /** League-local index of its first team. */
  start: number;
  size: number;
  /** Slots 0 and 1 are two teams of one club. */
  pair: boolean;
}

/** A team: where it sits, and (TeamSpelling) how its league spells it. */
export interface TeamInfo extends TeamSpelling {
  /** Position in the whole layout (all four leagues); stable for a seed and size. */
  index: number;
  league: LeagueCode;
  series: SeriesInfo;
  slot: number;
  /** The club without any marker telling two teams of it apart. */
  baseClub: string;
  doubleSpace: boolean;
  change: TeamChange | null;
}

interface LeaguePlan {
  league: LeagueCode;
  offset: number;
  count: number;
  starts: number[];
  sizes: number[];
}

export class FeedLayout {
  readonly seed: Seed;
  readonly totalTeams: number;
  readonly variant: 'standard' | 'alternate-apta-spelling';
  readonly clubPool: number;
  private readonly plans: Map<LeagueCode, LeaguePlan>;
  private readonly renames: readonly SeriesRename[];
  private readonly changeCount: number;
  private readonly changeStep: number;
  private readonly changeOffset: number;

  constructor(options: LayoutOptions) {
    const { seed, teams } = options;
    if (!Number.isInteger(teams) || teams < 0) {
      throw new RangeError(`teams must be a whole number >= 0, got ${teams}`);
    }
    const fraction = options.changeFraction ?? 0;
    if (!(fraction >= 0 && fraction <= 1)) {
      throw new RangeError(`changeFraction must be in [0, 1], got ${fraction}`);
    }
    this.seed = seed;
    this.totalTeams = teams;
    this.variant = options.variant ?? 'standard';
    this.renames = options.renameSeries === undefined ? [] : [options.renameSeries].flat();
    this.clubPool = Math.min(CLUB_NAME_CAPACITY, Math.max(MIN_CLUBS, Math.ceil(teams / 6)));
    this.plans = new Map();
    let offset = 0;
    const counts = leagueCounts(teams);
    for (const league of LEAGUE_CODES) {
      const plan = planLeague(seed, league, counts[league], offset);
      this.plans.set(league, plan);
      offset += plan.count;
    }
    // Changed teams are the first k images of a bijection i -> (i * step + offset) mod n, so exactly
    // round(fraction * n) teams change and which ones depends on the seed, not on the team order.
    this.changeCount = Math.round(fraction * teams);
    this.changeStep = coprimeStep(teams);
    this.changeOffset = teams > 0 ? hash32(String(seed), 'change') % teams : 0;
  }

  teamCount(league: LeagueCode): number {
    return this.plan(league).count;
  }

  seriesCount(league: LeagueCode): number {
    return this.plan(league).sizes.length;
  }

  *seriesOf(league: LeagueCode): Generator<SeriesInfo> {
    const n = this.seriesCount(league);
    for (let s = 0; s < n; s++) yield this.series(league, s);
  }

  series(league: LeagueCode, s: number): SeriesInfo {
    const plan = this.plan(league);
    const { kind, name, code } = this.seriesName(league, s);
    const size = plan.sizes[s];
    return {
      league,
      index: s,
      kind,
      name,
      code,
      start: plan.starts[s],
      size,
      pair: size >= 3 && kind !== 'sunday' && pairs(this.seed, league, s),
    };
  }

  /** The team at a league-local position (binary search over the series starts). */
  teamAt(league: LeagueCode, local: number): TeamInfo {
    const plan = this.plan(league);
    let lo = 0;
    let hi = plan.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (plan.starts[mid] <= local) lo = mid;
      else hi = mid - 1;
    }
    const series = this.series(league, lo);
    return this.team(series, local - series.start);
  }

  /** Global index of a league-local position. */
  globalIndex(league: LeagueCode, local: number): number {
    return this.plan(league).offset + local;
  }

  team(series: SeriesInfo, slot: number): TeamInfo {
    const { league } = series;
    const index = this.plan(league).offset + series.start + slot;
    const paired = series.pair && slot < 2;
    const clubIndex = (CLUB_OFFSET[league] + series.index * 7 + (paired ? 0 : slot)) % this.clubPool;
    const baseClub = clubName(clubIndex);
    const change = this.changeOf(index);
    const doubleSpace = hasDoubleSpace(this.seed, league, series.index, slot, index);
    // An alias change spells the club in capitals: the club still matches case-insensitively, so the
    // canonical key stays while the team's spelling in the feed changes.
    const spell = (club: string) => (change === 'alias' ? club.toUpperCase() : club);
    const join = (head: string, sep: ' ' | ' - ', tail: string) =>
      tail === '' ? widenFirstSpace(head, doubleSpace) : `${head}${doubleSpace ? ' ' : ''}${sep}${tail}`;

    const spelled = spellTeam(series, slot, { baseClub, paired, variant: this.variant, spell, join });
    return {
      index,
      league,
      series,
      slot,
      baseClub,
      ...spelled,
      doubleSpace,
      change,
    };
  }

  changeOf(index: number): TeamChange | null {
    if (this.changeCount === 0) return null;
    const image = (index * this.changeStep + this.changeOffset) % this.totalTeams;
    if (image >= this.changeCount) return null;
    return image % 2 === 0 ? 'alias' : 'roster';
  }

  private plan(league: LeagueCode): LeaguePlan {
    const plan = this.plans.get(league);
    if (!plan) throw new RangeError(`unknown league ${league}`);
    return plan;
  }

  private seriesName(league: LeagueCode, s: number): { kind: SeriesKind; name: string; code: string } {
    const base = baseSeriesName(league, s, this.variant);
    const rename = this.renames.find(
      (r) => r.from === base.name && (r.league === undefined || r.league === league),
    );
    if (!rename) return base;
    return { kind: base.kind, name: rename.to, code: seriesCode(league, rename.to, this.variant) };
  }
}

function leagueCounts(teams: number): Record<LeagueCode, number> {
  const counts = { APTA_CHICAGO: 0, NSTF: 0, CNSWPL: 0, CITA: 0 };
  let assigned = 0;
  for (const league of LEAGUE_CODES) {
    counts[league] = Math.floor(teams * SHARE[league]);
    assigned += counts[league];
  }
  counts.APTA_CHICAGO += teams - assigned;
  return counts;
}

// Series sizes that the quirks need: odd APTA series give BYE rows in both styles.
const FORCED_SIZE: Partial<Record<LeagueCode, Record<number, number>>> = { APTA_CHICAGO: { 1: 9, 3: 7 } };

function planLeague(seed: Seed, league: LeagueCode, count: number, offset: number): LeaguePlan {
  const [min, max] = SERIES_SIZE[league];
  const starts: number[] = [];
  const sizes: number[] = [];
  let placed = 0;
  for (let s = 0; placed < count; s++) {
    const remaining = count - placed;
    let size = FORCED_SIZE[league]?.[s] ?? randomFor(seed, 'series-size', league, s).int(min, max);
    // A small remainder joins this series rather than forming a series too small to play in.
    if (remaining - size < min) size = remaining;
    starts.push(placed);
    sizes.push(size);
    placed += size;
  }
  return { league, offset, count, starts, sizes };
}

function pairs(seed: Seed, league: LeagueCode, s: number): boolean {
  // The first series of each style always has one, so even a small feed shows every pairing quirk.
  if (league === 'CITA' ? s === 1 : s === 0) return true;
  if (league === 'CNSWPL' && s === 2) return true;
  return unitFor(seed, 'pair', league, s) < 0.12;
}

function hasDoubleSpace(seed: Seed, league: LeagueCode, s: number, slot: number, index: number): boolean {
  if ((league === 'NSTF' || league === 'CITA') && s === 0 && slot === 2) return true;
  return unitFor(seed, 'double-space', index) < 0.01;
}

function widenFirstSpace(name: string, widen: boolean): string {
  return widen ? name.replace(' ', '  ') : name;
}

function coprimeStep(n: number): number {
  if (n <= 1) return 1;
  // A prime that does not divide n is coprime with it, and so is its remainder.
  for (const p of [1_000_003, 999_983, 104_729, 7_919]) if (n % p !== 0) return p % n;
  return 1;
}
