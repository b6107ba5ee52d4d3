import type { LeagueCode } from './league-codes.ts';

/** How the leagues spell their series and teams: the spellings the feeds use, and their quirks. */

export type SeriesKind = 'plain' | 'sw' | 'sunday' | 'letter' | 'cita';

const CITA_FIRST = [
  '4.5 & Under Fri',
  '3.5 & Under Wed',
  '4.0 & Under Sat',
  'Open Fri',
  '3.0 - 3.5 Singles Thur',
  '4.5+ Sat',
  'Boys',
  'Girls',
  '4.0 Singles Sun',
];
const CITA_SERIES: readonly string[] = (() => {
  const names = [...CITA_FIRST];
  for (const day of ['Fri', 'Wed', 'Sat', 'Thur', 'Sun', 'Mon', 'Tue']) {
    for (const level of ['4.5', '4.0', '3.5', '3.0']) {
      for (const name of [`${level} & Under ${day}`, `${level} Singles ${day}`, `${level}+ ${day}`]) {
        if (!names.includes(name)) names.push(name);
      }
    }
  }
  return names;
})();

/** Bijective base-26 letters: A … Z, AA, AB … */
function letters(i: number): string {
  let out = '';
  let n = i + 1;
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/** The name and code of series `s` of a league, before any rename. */
export function baseSeriesName(
  league: LeagueCode,
  s: number,
  variant: 'standard' | 'alternate-apta-spelling',
): { kind: SeriesKind; name: string; code: string } {
  switch (league) {
    case 'APTA_CHICAGO': {
      const sw = s % 4 === 3;
      const code = sw ? `${7 + 2 * Math.floor(s / 4)} SW` : `${s - Math.floor(s / 4) + 1}`;
      const prefix = variant === 'alternate-apta-spelling' ? 'Series' : 'Chicago';
      return { kind: sw ? 'sw' : 'plain', name: `${prefix} ${code}`, code };
    }
    case 'NSTF': {
      const b = Math.floor(s / 5);
      // The Sunday series comes second so that even a league of two series has one.
      const codes = [`${3 * b + 1}`, letters(b), `${3 * b + 2}A`, `${3 * b + 2}B`, `${3 * b + 3}`];
      const r = s % 5;
      return { kind: r === 1 ? 'sunday' : 'plain', name: `Series ${codes[r]}`, code: codes[r] };
    }
    case 'CNSWPL': {
      const letter = s % 3 === 2;
      const code = letter ? letters(Math.floor(s / 3)) : `${s - Math.floor(s / 3) + 1}`;
      return { kind: letter ? 'letter' : 'plain', name: `Series ${code}`, code };
    }
    case 'CITA': {
      const round = Math.floor(s / CITA_SERIES.length);
      const code = CITA_SERIES[s % CITA_SERIES.length] + (round > 0 ? ` Flight ${round + 1}` : '');
      return { kind: 'cita', name: `Series ${code}`, code };
    }
  }
}

/** The code a renamed series gives its teams: the name without its league's prefix. */
export function seriesCode(
  league: LeagueCode,
  name: string,
  variant: 'standard' | 'alternate-apta-spelling',
): string {
  const prefix = league === 'APTA_CHICAGO' && variant === 'standard' ? /^(Chicago|Series) / : /^Series /;
  return name.replace(prefix, '');
}

/** How a team is spelled in its league's files (part of the layout's TeamInfo). */
export interface TeamSpelling {
  /** The club as a canonical teams file names it: unique within the series. */
  club: string;
  /** The team as series_stats (and players' `Series Mapping ID`) spell it. */
  teamName: string;
  /** The team as schedules spell it. */
  scheduleName: string;
  /** The club as the players file's `Club` names it. */
  playerClub: string;
  /** The series as the players file's `Series` names it. */
  playerSeries: string;
  hasPlayers: boolean;
}

/** How the team in `slot` of `series` is spelled in its league's feed files. */
export function spellTeam(
  series: { league: LeagueCode; name: string; code: string; kind: SeriesKind },
  slot: number,
  how: {
    baseClub: string;
    /** One of two teams of a club in the series. */
    paired: boolean;
    variant: 'standard' | 'alternate-apta-spelling';
    /** The club as this team spells it (in capitals after an alias change). */
    spell: (club: string) => string;
    join: (head: string, sep: ' ' | ' - ', tail: string) => string;
  },
): TeamSpelling {
  const { baseClub, paired, variant, spell, join } = how;
  const { league } = series;
  let club = baseClub;
  let teamName: string;
  let scheduleName: string;
  let playerClub: string;
  let playerSeries = series.name;
  let hasPlayers = true;
  switch (league) {
    case 'APTA_CHICAGO': {
      club = paired ? `${baseClub} ${slot === 0 ? 'I' : 'II'}` : baseClub;
      playerClub = club;
      if (variant === 'alternate-apta-spelling') {
        teamName = join(spell(club), ' ', series.code);
        scheduleName = `${teamName} - ${series.name}`;
      } else {
        teamName = join(spell(club), ' - ', series.code);
        scheduleName = teamName;
      }
      break;
    }
    case 'NSTF': {
      let tail: string;
      if (series.kind === 'sunday') tail = slot % 2 === 0 ? `Sunday ${series.code}` : '';
      else tail = `S${series.code}${paired ? ` T${slot + 1}` : ''}`;
      if (paired) club = `${baseClub} T${slot + 1}`;
      teamName = join(spell(baseClub), ' ', tail);
      scheduleName = `${teamName} - ${series.name}`;
      playerClub = baseClub;
      break;
    }
    case 'CNSWPL': {
      const numeric = series.kind === 'plain';
      const marker = paired ? (numeric ? ['a', 'b'][slot] : `(${slot + 1})`) : '';
      if (paired) club = `${baseClub} ${marker}`;
      teamName = join(spell(baseClub), ' ', `${series.code}${marker}`);
      scheduleName = `${teamName} - ${series.name}`;
      playerClub = `${baseClub} ${series.code}${marker}`;
      playerSeries = `Division ${series.code}${marker}`;
      hasPlayers = numeric;
      break;
    }
    case 'CITA': {
      club = paired ? `${baseClub} - ${slot + 1}` : baseClub;
      teamName = paired ? join(spell(baseClub), ' - ', String(slot + 1)) : join(spell(baseClub), ' ', '');
      scheduleName = `${teamName} - ${series.code}`;
      playerClub = club;
      hasPlayers = false;
      break;
    }
  }
  return { club, teamName, scheduleName, playerClub, playerSeries, hasPlayers };
}
