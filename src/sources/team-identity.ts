import { BoundedMemo } from './bounded-memo.ts';
import { type LeagueCode, leagueInfo } from './leagues.ts';
import { caseInsensitive, comparisonKey, escapeRegExp, normaliseName } from './text.ts';

/**
 * One team as the database will know it. Teams are unique on (club, series, league), so where a
 * club fields several teams in one series the team marker (`T2`, `a`, `(1)`, `E`) becomes part of
 * the club name, and `canonicalKey` is exactly that triple, compared case- and space-insensitively.
 */
export interface TeamIdentity {
  league: LeagueCode;
  clubName: string;
  /** Canonical series name (`Chicago 20`, `Series 1`, `Series 4.5 & Under Fri`). */
  seriesName: string;
  /** The series as the feed spelled it (whitespace normalised). */
  seriesDisplayName: string;
  /** Canonical team name. */
  teamName: string;
  /** The feed's spelling of the team when it differs from `teamName`. */
  teamAlias: string | null;
  canonicalKey: string;
}

export interface TeamNameInput {
  league: LeagueCode;
  series?: string | null;
  team?: string | null;
  /** Used only when there is no team name: the name is then the club itself. */
  club?: string | null;
}

export type IdentityResult =
  { ok: true; identity: TeamIdentity } | { ok: false; field: 'team' | 'series'; reason: string };

interface Parsed {
  base: string;
  marker: string | null;
  token: string;
  teamName: string;
}

const SERIES_WORD = /^(?:chicago|series|division)\s+/i;
// `Tennaqua - 22`, `Valley Lo 20`, `Harrowgate GC - 19 SW`, `Winnetka 99 E`, `Midvale - Chicago - 4`.
const APTA_TEAM = /^(.+?)(?:\s+-\s+|\s+)(\d+(?:\s+SW)?)(?:\s+([A-Z]))?$/i;

export function teamIdentity(input: TeamNameInput): IdentityResult {
  const league = input.league;
  const series = normaliseName(input.series);
  const team = normaliseName(input.team) || normaliseName(input.club);
  if (!team) return { ok: false, field: 'team', reason: 'team name is empty' };

  const seriesToken = tokenOf(league, series);
  let parsed: Parsed | null;
  switch (league) {
    case 'APTA_CHICAGO':
      parsed = parseApta(team, seriesToken);
      break;
    case 'NSTF':
      parsed = parseWithToken(team, seriesToken, nstfPattern);
      break;
    case 'CNSWPL':
      parsed = parseWithToken(team, seriesToken, cnswplPattern);
      break;
    case 'CITA':
      parsed = seriesToken ? { base: team, marker: null, token: seriesToken, teamName: team } : null;
      break;
  }
  if (!parsed) {
    return {
      ok: false,
      field: 'series',
      reason: series
        ? `cannot read a series from "${series}"`
        : `series is missing and team "${team}" does not name one`,
    };
  }

  const seriesName = `${leagueInfo(league).seriesPrefix} ${parsed.token}`;
  const clubName = parsed.marker ? `${parsed.base} ${parsed.marker}` : parsed.base;
  return {
    ok: true,
    identity: {
      league,
      clubName,
      seriesName,
      seriesDisplayName: series || seriesName,
      teamName: parsed.teamName,
      teamAlias: parsed.teamName === team ? null : team,
      canonicalKey: canonicalKey(league, clubName, seriesName),
    },
  };
}

/** The key of (league, club, series): the database's unique team key, spelled for comparison. */
export function canonicalKey(league: LeagueCode, club: string, series: string): string {
  return [league, comparisonKey(club), comparisonKey(series)].map(escapeKeyPart).join(':');
}

function escapeKeyPart(part: string): string {
  return part.replace(/%/g, '%25').replace(/:/g, '%3A');
}

/** `Chicago 22` → `22`, `Series 2B` → `2B`; CNSWPL's `Division 2a` (a team suffix leaking in) → `2`. */
export function tokenOf(league: LeagueCode, series: string): string {
  let token = series.replace(SERIES_WORD, '');
  if (league === 'CNSWPL') token = token.replace(/^(\d+)[a-z]$/, '$1');
  if (league === 'APTA_CHICAGO') token = token.replace(/\s+sw$/i, ' SW');
  return token;
}

function parseApta(team: string, seriesToken: string): Parsed | null {
  // The team name carries the series (`Midvale - Chicago - 4` sits in series `Chicago Chicago`), so it wins.
  const match = APTA_TEAM.exec(team);
  if (match) {
    const [, base, rawToken, rawMarker] = match;
    const token = rawToken.replace(/\s+sw$/i, ' SW');
    const marker = rawMarker ? rawMarker.toUpperCase() : null;
    return { base, marker, token, teamName: `${base} - ${token}${marker ? ` ${marker}` : ''}` };
  }
  return seriesToken ? { base: team, marker: null, token: seriesToken, teamName: team } : null;
}

/** A team name cut by its league's pattern: the base and the two marker groups, as the regex gives them. */
type Cut = [base: string, numberOrTeam: string | undefined, letter: string | undefined];

/**
 * A league's team-name pattern around a series token. The rule is a regular expression per token
 * (`regexFor`); `cut` gives the same answer by scanning the name, for names and tokens of printable
 * ASCII (nearly all), because a feed has thousands of series and compiling a regular expression for
 * each was most of the time spent on team names (test/sources/team-patterns.test.ts holds the two
 * to the same answers).
 */
class Pattern {
  private readonly byToken = new BoundedMemo<RegExp>(5_000);
  constructor(
    private readonly regexFor: (escapedToken: string) => string,
    private readonly cut: (team: string, lower: string, token: string) => Cut | null,
    readonly name: (base: string, marker: string | null, token: string) => string | null,
  ) {}

  match(team: string, token: string, useRegex = false): Cut | null {
    if (!useRegex && PRINTABLE_ASCII.test(team) && PRINTABLE_ASCII.test(token)) {
      return this.cut(team, team.toLowerCase(), token.toLowerCase());
    }
    const regex =
      this.byToken.get(token) ??
      this.byToken.remember(token, caseInsensitive(this.regexFor(escapeRegExp(token))));
    const match = regex.exec(team);
    return match ? [match[1]!, match[2], match[3]] : null;
  }
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
const SPACE = 0x20;

/**
 * The regexes' `^(.+?)\s+<rest>$`: the shortest non-empty base followed by spaces and a rest that
 * `rest` accepts from the first character after the spaces (every rest starts with a non-space, so
 * the spaces are the whole run). For printable ASCII only, where `\s` is a space and `.` anything.
 */
function shortestBase(
  team: string,
  rest: (after: number) => [string | undefined, string | undefined] | null,
): Cut | null {
  for (let p = 1; p < team.length; p++) {
    if (team.charCodeAt(p) !== SPACE) continue;
    let q = p + 1;
    while (q < team.length && team.charCodeAt(q) === SPACE) q++;
    const groups = rest(q);
    if (groups) return [team.slice(0, p), groups[0], groups[1]];
  }
  return null;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function skipSpaces(text: string, at: number): number {
  while (at < text.length && text.charCodeAt(at) === SPACE) at++;
  return at;
}

/** `(?:\s+(T\d+))?$` from `at`: the T group, '' for nothing, null when it does not match. */
function nstfTail(team: string, lower: string, at: number): string | undefined | null {
  if (at === team.length) return undefined;
  if (team.charCodeAt(at) !== SPACE) return null;
  const t = skipSpaces(team, at);
  if (lower.charCodeAt(t) !== 0x74) return null;
  let end = t + 1;
  while (end < team.length && isDigit(team.charCodeAt(end))) end++;
  return end > t + 1 && end === team.length ? team.slice(t) : null;
}

/** `(?:\s*\(\s*(\d+)\s*\)|([a-z]))?$` (case-insensitive) from `at`. */
function cnswplTail(team: string, at: number): [string | undefined, string | undefined] | null {
  if (at === team.length) return [undefined, undefined];
  let i = skipSpaces(team, at);
  if (team.charCodeAt(i) === 0x28) {
    i = skipSpaces(team, i + 1);
    const digits = i;
    while (i < team.length && isDigit(team.charCodeAt(i))) i++;
    const number = team.slice(digits, i);
    i = skipSpaces(team, i);
    if (number && team.charCodeAt(i) === 0x29 && i + 1 === team.length) return [number, undefined];
  }
  const c = team.charCodeAt(at) | 0x20;
  if (at + 1 === team.length && c >= 0x61 && c <= 0x7a) return [undefined, team[at]];
  return null;
}

// `Birchwood S1`, `Elmstead S1 T2`, `Elmstead Sunday A`; anything else (`Middlebrook`) is the club itself.
const nstfPattern = new Pattern(
  (token) => `^(.+?)\\s+(?:S|Sunday\\s+)${token}(?:\\s+(T\\d+))?$`,
  (team, lower, token) =>
    shortestBase(team, (q) => {
      // `S` first, as the regex's alternation tries it, then `Sunday` and spaces.
      if (lower.charCodeAt(q) === 0x73 && lower.startsWith(token, q + 1)) {
        const tail = nstfTail(team, lower, q + 1 + token.length);
        if (tail !== null) return [tail, undefined];
      }
      if (lower.startsWith('sunday', q) && team.charCodeAt(q + 6) === SPACE) {
        const at = skipSpaces(team, q + 6);
        if (lower.startsWith(token, at)) {
          const tail = nstfTail(team, lower, at + token.length);
          if (tail !== null) return [tail, undefined];
        }
      }
      return null;
    }),
  () => null,
);

// `Birchwood 1`, `Harrowgate PC 1a`, `Valley Lo B(1)`, `Elmstead H (1)`, `Winnetka SN (2)`.
const cnswplPattern = new Pattern(
  (token) => `^(.+?)\\s+${token}(?:\\s*\\(\\s*(\\d+)\\s*\\)|([a-z]))?$`,
  (team, lower, token) =>
    shortestBase(team, (q) => (lower.startsWith(token, q) ? cnswplTail(team, q + token.length) : null)),
  (base, marker, token) => `${base} ${token}${marker ?? ''}`,
);

/** Exposed for tests: the scanning cut and the regex must agree on every name. */
export const TEAM_PATTERNS = { NSTF: nstfPattern, CNSWPL: cnswplPattern } as const;

function parseWithToken(team: string, token: string, pattern: Pattern): Parsed | null {
  if (!token) return null;
  const match = pattern.match(team, token);
  if (!match) return { base: team, marker: null, token, teamName: team };
  const base = match[0];
  const marker = markerOf(match[1], match[2]);
  return { base, marker, token, teamName: pattern.name(base, marker, token) ?? team };
}

function markerOf(numberOrTeam: string | undefined, letter: string | undefined): string | null {
  if (numberOrTeam) return /^\d+$/.test(numberOrTeam) ? `(${numberOrTeam})` : numberOrTeam.toUpperCase();
  if (letter) return letter.toLowerCase();
  return null;
}
