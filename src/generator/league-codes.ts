/** The leagues the generator writes feeds for, in the order of their shares. */
export const LEAGUE_CODES = ['APTA_CHICAGO', 'NSTF', 'CNSWPL', 'CITA'] as const;
export type LeagueCode = (typeof LEAGUE_CODES)[number];
