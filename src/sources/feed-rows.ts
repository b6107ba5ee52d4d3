import { type LeagueCode, normaliseLeagueCode } from './leagues.ts';
import type { RecordCheck } from './record-check.ts';
import type { FileSummary, SourceItem } from './records.ts';
import type { SourceState } from './source-state.ts';
import { type IdentityResult, type TeamIdentity, teamIdentity, type TeamNameInput } from './team-identity.ts';

export interface RowContext {
  state: SourceState;
  file: FileSummary;
  /** The feed's own league (its directory is named after one), used for rows that name none. */
  defaultLeague: LeagueCode | null;
  /** The records at hand hold no escapes or raw controls (see ElementBatch.plain). */
  plain: boolean;
}

export type RowHandler = (value: unknown, index: number, context: RowContext) => SourceItem[];

/** Validate, skip or turn one element into items; bookkeeping of the file's counts happens here. */
export function handleRow(
  handler: RowHandler,
  value: unknown,
  index: number,
  context: RowContext,
): SourceItem[] {
  context.file.read++;
  const items = handler(value, index, context);
  let rejection = false;
  for (const item of items) {
    if (item.kind === 'rejection') rejection = true;
    context.state.count(item);
  }
  if (rejection) context.file.rejected++;
  return items;
}

export function rejected(check: RecordCheck): SourceItem[] {
  return check.rejections.map((rejection) => ({ kind: 'rejection', rejection }));
}

/** The row's league from the first of `fields` that is set, else the feed's; null when out of scope. */
export function leagueOf(
  record: Record<string, unknown>,
  fields: string[],
  check: RecordCheck,
  context: RowContext,
): LeagueCode | 'skip' | null {
  let league: LeagueCode | null = null;
  let field: string | undefined;
  for (const name of fields) {
    const value = record[name];
    if (value !== undefined && value !== null && value !== '') {
      field = name;
      break;
    }
  }
  if (field) {
    league = normaliseLeagueCode(record[field]);
    if (!league) {
      check.reject(field, 'is not a known league (APTA_CHICAGO, NSTF, CNSWPL, CITA)', record[field]);
      return null;
    }
  } else {
    league = context.defaultLeague;
    if (!league) {
      check.reject(fields[0], 'is missing, and the feed directory does not name a league', undefined);
      return null;
    }
  }
  if (!context.state.inScope(league)) {
    context.file.skipped++;
    return 'skip';
  }
  return league;
}

/** A team's identity from its names, remembered: one team's records repeat the same ones. */
export function lookupIdentity(state: SourceState, input: TeamNameInput): IdentityResult {
  const last = state.lastIdentity;
  // Consecutive records of one team repeat the same names: comparing them is cheaper than hashing
  // a joined key.
  if (
    last &&
    last.input.league === input.league &&
    last.input.series === input.series &&
    last.input.team === input.team &&
    last.input.club === input.club
  ) {
    return last.result;
  }
  const key = `${input.league}\u0000${input.series ?? ''}\u0000${input.team ?? ''}\u0000${input.club ?? ''}`;
  const result = state.identities.get(key) ?? state.identities.remember(key, teamIdentity(input));
  state.lastIdentity = { input, result };
  return result;
}

/** The identity, or null with the reason rejected into `check` under the record's own field names. */
export function identified(
  check: RecordCheck,
  fields: { team: string; series: string },
  input: TeamNameInput,
  result: IdentityResult,
): TeamIdentity | null {
  if (result.ok) return result.identity;
  const field = result.field === 'team' ? fields.team : fields.series;
  check.reject(field, result.reason, result.field === 'team' ? input.team : input.series);
  return null;
}

export function identify(
  check: RecordCheck,
  context: RowContext,
  fields: { team: string; series: string },
  input: TeamNameInput,
): TeamIdentity | null {
  return identified(check, fields, input, lookupIdentity(context.state, input));
}
