import type { LeagueCode } from './leagues.ts';
import { tokenOf } from './team-identity.ts';
import { caseInsensitive, escapeRegExp, normaliseName } from './text.ts';

export type ScheduleSide = { bye: true } | { bye: false; team: string; series: string };

// `BYE - 11`, and a side whose team part is empty (` - 9 SW`, sent with location `BYE`).
const BYE = /^(?:bye\b.*|-.*|)$/i;

/**
 * Schedules name a side `<team> - <series>` (`Birchwood S1 - Series 1`, `North Shore Racquet Club -
 * 4.5 & Under Fri`), except APTA whose team names already end in the series (`Tennaqua - 22`).
 * The suffix is cut off using the row's series, because both club and series may contain ` - `.
 */
export function splitScheduleTeam(league: LeagueCode, rawName: unknown, rawSeries: unknown): ScheduleSide {
  const name = normaliseName(rawName);
  const series = normaliseName(rawSeries);
  if (BYE.test(name)) return { bye: true };
  if (league === 'APTA_CHICAGO') return { bye: false, team: aptaTeam(name, series), series };

  if (series) {
    const bare = series.replace(/^series\s+/i, '');
    for (const suffix of [series, bare]) {
      const match = caseInsensitive(`^(.+?)\\s+-\\s+${escapeRegExp(suffix)}$`).exec(name);
      if (match) return { bye: false, team: match[1], series };
    }
    return { bye: false, team: name, series };
  }
  const match = /^(.+?)\s+-\s+(Series\s+\S+)$/i.exec(name);
  return match ? { bye: false, team: match[1], series: match[2] } : { bye: false, team: name, series };
}

/**
 * `Winnetka 99 A - 99`, `Valley Lo 20 - Series 20` and `Legends - Legends`: the series was appended to a name that already ends
 * in it. Cut it once; `Tennaqua - 22` stays whole because `Tennaqua` does not end in the series.
 */
function aptaTeam(name: string, series: string): string {
  const token = series ? tokenOf('APTA_CHICAGO', series) : (/.*\s-\s(.+)$/.exec(name)?.[1] ?? '');
  if (!token) return name;
  const escaped = escapeRegExp(token);
  // The suffix is the bare token (`Tennaqua 22 - 22`) or, in the other spelling, the whole series
  // (`Valley Lo 20 - Series 20`).
  for (const suffix of series ? [token, series] : [token]) {
    const match = caseInsensitive(`^(.+?)\\s+-\\s+${escapeRegExp(suffix)}$`).exec(name);
    if (!match) continue;
    const rest = match[1];
    if (caseInsensitive(`(?:^|\\s)${escaped}(?:\\s+[A-Z])?$`).test(rest)) return rest;
  }
  return name;
}
