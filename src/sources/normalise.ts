// The pure normalisation functions of the sources layer, in one import.
export {
  KNOWN_LEAGUES,
  type LeagueCode,
  type LeagueInfo,
  leagueInfo,
  normaliseLeagueCode,
} from './leagues.ts';
export {
  canonicalKey,
  type IdentityResult,
  type TeamIdentity,
  teamIdentity,
  type TeamNameInput,
  tokenOf,
} from './team-identity.ts';
export { comparisonKey, hasRejectedControlChars, normaliseName } from './text.ts';
