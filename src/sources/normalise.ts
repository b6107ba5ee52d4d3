// The pure normalisation functions of the sources layer, in one import.
export {
  KNOWN_LEAGUES,
  type LeagueCode,
  leagueInfo,
  type LeagueInfo,
  normaliseLeagueCode,
} from './leagues.ts';
export {
  canonicalKey,
  type IdentityResult,
  teamIdentity,
  type TeamIdentity,
  type TeamNameInput,
  tokenOf,
} from './team-identity.ts';
export { comparisonKey, hasRejectedControlChars, normaliseName } from './text.ts';
