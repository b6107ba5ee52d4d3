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

type Pattern = (token: string) => {
  regex: RegExp;
  name: (base: string, marker: string | null) => string | null;
};

// `Birchwood S1`, `Elmstead S1 T2`, `Elmstead Sunday A`; anything else (`Middlebrook`) is the club itself.
const nstfPattern: Pattern = (token) => ({
  regex: caseInsensitive(`^(.+?)\\s+(?:S|Sunday\\s+)${escapeRegExp(token)}(?:\\s+(T\\d+))?$`),
  name: () => null,
});

// `Birchwood 1`, `Harrowgate PC 1a`, `Valley Lo B(1)`, `Elmstead H (1)`, `Winnetka SN (2)`.
const cnswplPattern: Pattern = (token) => ({
  regex: caseInsensitive(`^(.+?)\\s+${escapeRegExp(token)}(?:\\s*\\(\\s*(\\d+)\\s*\\)|([a-z]))?$`),
  name: (base, marker) => `${base} ${token}${marker ?? ''}`,
});

function parseWithToken(team: string, token: string, pattern: Pattern): Parsed | null {
  if (!token) return null;
  const { regex, name } = pattern(token);
  const match = regex.exec(team);
  if (!match) return { base: team, marker: null, token, teamName: team };
  const base = match[1];
  const marker = markerOf(match[2], match[3]);
  return { base, marker, token, teamName: name(base, marker) ?? team };
}

function markerOf(numberOrTeam: string | undefined, letter: string | undefined): string | null {
  if (numberOrTeam) return /^\d+$/.test(numberOrTeam) ? `(${numberOrTeam})` : numberOrTeam.toUpperCase();
  if (letter) return letter.toLowerCase();
  return null;
}
