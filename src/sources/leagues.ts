/**
 * The leagues the feeds know. `seriesPrefix` is the word the league's canonical series names start
 * with; `aliases` are other spellings seen in feeds and configs, compared after dropping case and
 * anything that is not a letter or digit.
 */
export const KNOWN_LEAGUES = {
  APTA_CHICAGO: {
    code: 'APTA_CHICAGO',
    displayName: 'APTA Chicago',
    seriesPrefix: 'Chicago',
    aliases: ['APTA'],
  },
  NSTF: { code: 'NSTF', displayName: 'NSTF', seriesPrefix: 'Series', aliases: ['NSFT'] },
  CNSWPL: { code: 'CNSWPL', displayName: 'CNSWPL', seriesPrefix: 'Series', aliases: [] },
  CITA: { code: 'CITA', displayName: 'CITA', seriesPrefix: 'Series', aliases: [] },
} as const satisfies Record<string, LeagueInfo>;

export interface LeagueInfo {
  code: string;
  displayName: string;
  seriesPrefix: string;
  aliases: readonly string[];
}

export type LeagueCode = keyof typeof KNOWN_LEAGUES;

const LEAGUE_BY_SQUASHED = new Map<string, LeagueCode>();
for (const [code, info] of Object.entries(KNOWN_LEAGUES) as [LeagueCode, LeagueInfo][]) {
  for (const spelling of [code, ...info.aliases]) LEAGUE_BY_SQUASHED.set(squash(spelling), code);
}

function squash(value: string): string {
  return value.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/** `nsft` → NSTF, `apta chicago` / `APTA-CHICAGO` → APTA_CHICAGO; anything unknown → null. */
export function normaliseLeagueCode(value: unknown): LeagueCode | null {
  if (typeof value !== 'string') return null;
  return LEAGUE_BY_SQUASHED.get(squash(value)) ?? null;
}

export function leagueInfo(code: LeagueCode): LeagueInfo {
  return KNOWN_LEAGUES[code];
}

/** The known codes with their other accepted spellings, for messages: `APTA_CHICAGO (or APTA), …`. */
export function describeLeagueCodes(): string {
  return (Object.values(KNOWN_LEAGUES) as LeagueInfo[])
    .map((info) => (info.aliases.length ? `${info.code} (or ${info.aliases.join(', ')})` : info.code))
    .join(', ');
}

/**
 * Why `value` is not a league, with the codes that are (case and punctuation do not matter);
 * `where` follows the value: ` in the leagues option`.
 */
export function unknownLeagueMessage(value: string, where = ''): string {
  return (
    `unknown league "${value}"${where}: known leagues are ${describeLeagueCodes()}; ` +
    'case, spaces and punctuation do not matter (apta-chicago is APTA_CHICAGO)'
  );
}
