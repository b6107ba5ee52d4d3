import { seriesHaveLeague } from '../../db/catalog.ts';
import type { Db } from '../../db/sql.ts';
import type { ProtectedReference } from '../protection/spec.ts';
import { columnType, CONTEXT_COLUMNS, type ContextColumn, contextSql } from './reference-context.ts';
import type { RematchStrategyUsed } from './rematch.ts';
import { REMATCH_TABLE } from './rematch-strategies.ts';

/**
 * User rows and what they point at, in words, for the lines repair and restore print: "poll 11 of
 * team Corholm Harbor - 1 (APTA_CHICAGO): no team with that club and series now; kept and flagged".
 * Every sentence lives here, once.
 */

/** Why a row could not be re-pointed. */
export type UnmatchedReason = 'NO_MATCH' | 'AMBIGUOUS';

type Kind = ProtectedReference['rematch'];

/** What identifies a target of each kind, as the NO_MATCH sentence says it. */
const KEY_WORDS: Record<Kind, { noun: string; key: string }> = {
  team: { noun: 'team', key: 'that club and series' },
  practice: { noun: 'team', key: 'that club and series' },
  player: { noun: 'player', key: 'that id, club and series' },
  external_player: { noun: 'player', key: 'that id' },
  series: { noun: 'series', key: 'that name in that league' },
  club: { noun: 'club', key: 'that name' },
  league: { noun: 'league', key: 'that code' },
};

/** The reason codes of repair (quarantine) and restore, as sentences. */
export const REASONS: Record<UnmatchedReason, (kind: Kind) => string> = {
  NO_MATCH: (kind) => `no ${KEY_WORDS[kind].noun} with ${KEY_WORDS[kind].key} now`,
  AMBIGUOUS: (kind) =>
    `several ${KEY_WORDS[kind].noun === 'series' ? 'series' : `${KEY_WORDS[kind].noun}s`} fit it, so none is guessed`,
};

/** How a new value was found (see RematchStrategyUsed), as the end of "re-pointed to X, by …". */
export const STRATEGIES: Record<RematchStrategyUsed, string> = {
  natural_key: 'the same league, club and series',
  successor: 'the one active team of that club with its name (the old one was retired)',
  team_name: 'its team name or alias in that league and club',
  retired_team: 'the retired team, the only one with that key (it stays attached)',
  practice_name: 'its own "<Club> Practice - <Series>" name',
  external_id: "the player's id in that league",
  external_id_exists: 'a player still carrying that id',
  series_name: 'the series name in that league',
  club_name: 'the club name',
  league_code: 'the league code',
  creator_player: "its creator's one active player",
  row_text: 'the one active team its own text names',
};

/** A user row by its table's singular noun; `link` joins it to its target ("of", "on"). */
const ROW_NOUNS: Record<string, { noun: (id: string) => string; link: string }> = {
  polls: { noun: (id) => `poll ${id}`, link: 'of' },
  poll_responses: { noun: (id) => `poll response ${id}`, link: 'of' },
  poll_choices: { noun: (id) => `poll choice ${id}`, link: 'of' },
  captain_messages: { noun: (id) => `captain message ${id}`, link: 'of' },
  schedule: { noun: (id) => `practice time ${id}`, link: 'of' },
  player_availability: { noun: (id) => `availability entry ${id}`, link: 'for' },
  user_contexts: { noun: (id) => `current team choice of user ${id}`, link: ':' },
  saved_lineups: { noun: (id) => `saved lineup ${id}`, link: 'of' },
  user_player_associations: { noun: (id) => `player link ${id}`, link: 'to' },
};

/** The row's name: its table's singular noun (a table added to the spec: its name, made singular). */
export function rowWords(table: string, rowId: string | number): { row: string; link: string } {
  const known = ROW_NOUNS[table];
  if (known) return { row: known.noun(String(rowId)), link: known.link };
  const singular = table
    .replace(/_/g, ' ')
    .replace(/(?<!ser)ies$/, 'y')
    .replace(/(?<!serie|[su])s$/, '');
  return { row: `${singular} ${rowId}`, link: 'of' };
}

export type TargetContext = Partial<Record<ContextColumn, string | null>>;

/** A target by its natural key: "team Corholm Harbor - 1 (APTA_CHICAGO)"; null when nothing describes it. */
export function targetWords(kind: Kind, ctx: TargetContext): string | null {
  const league = ctx.league ? ` (${ctx.league})` : '';
  switch (kind) {
    case 'team':
    case 'practice': {
      const name = ctx.team_name ?? ctx.team_alias;
      if (name) return `team ${name}${league}`;
      if (ctx.club && ctx.series) return `team of ${ctx.club} in ${ctx.series}${league}`;
      if (ctx.practice_name) return `team of practice "${ctx.practice_name}"${league}`;
      return null;
    }
    case 'player': {
      const name = [ctx.first_name, ctx.last_name].filter(Boolean).join(' ');
      const id = [ctx.external_id, ctx.league].filter(Boolean).join(', ');
      if (!name && !id) return null;
      return `player ${name || ctx.external_id}${id ? ` (${id})` : ''}`;
    }
    case 'external_player':
      return ctx.external_id ? `player id ${ctx.external_id}` : null;
    case 'series':
      return ctx.series ? `series ${ctx.series}${league}` : null;
    case 'club':
      return ctx.club ? `club ${ctx.club}` : null;
    case 'league':
      return ctx.league ? `league ${ctx.league}` : null;
  }
}

/** The row and what it pointed at: "poll 11 of team Corholm Harbor - 1 (APTA_CHICAGO)". */
export function subjectWords(
  ref: ProtectedReference,
  rowId: string | number,
  was: TargetContext,
  value: string | null,
) {
  const { row, link } = rowWords(ref.sourceTable, rowId);
  const target =
    targetWords(ref.rematch, was) ??
    (value === null
      ? `no ${KEY_WORDS[ref.rematch].noun}`
      : `${ref.targetTable} ${value}, of which nothing is recorded`);
  return link === ':' ? `${row}, ${target}` : `${row} ${link} ${target}`;
}

/** One row of the re-match work table, with its old target's context. */
export interface RematchRowWords {
  reference: string;
  rowId: string;
  oldValue: string | null;
  newValue: string | null;
  method: RematchStrategyUsed | null;
  ambiguous: boolean;
  context: TargetContext;
}

/**
 * Rows of the re-match work table (after the strategies ran), with the context they were matched
 * on: the old target's natural key as the event, the snapshot or the old row itself told it.
 */
export async function rematchRows(
  db: Db,
  where = 'true',
  limit: number | null = null,
): Promise<RematchRowWords[]> {
  const rows: Array<Record<string, string | boolean | null>> = await db.query(
    `select reference, row_id::text as row_id, old_value, new_value, method, ambiguous, ${CONTEXT_COLUMNS.join(', ')}
       from ${REMATCH_TABLE} r where ${where}
      order by (new_value is null) desc, idx ${limit === null ? '' : `limit ${Math.floor(limit)}`}`,
  );
  return rows.map((r) => ({
    reference: String(r.reference),
    rowId: String(r.row_id),
    oldValue: (r.old_value as string | null) ?? null,
    newValue: (r.new_value as string | null) ?? null,
    method: (r.method as RematchStrategyUsed | null) ?? null,
    ambiguous: r.ambiguous === true,
    context: Object.fromEntries(CONTEXT_COLUMNS.map((c) => [c, (r[c] as string | null) ?? null])),
  }));
}

/** Today's targets of one reference by value, in words ("team Corholm Harbor - 1 (APTA_CHICAGO)"). */
export async function currentTargetWords(
  db: Db,
  ref: ProtectedReference,
  values: string[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const distinct = [...new Set(values)];
  if (distinct.length === 0) return found;
  // A practice row's own name is not its target's: the team is described as a team.
  const target: ProtectedReference = { ...ref, rematch: ref.rematch === 'practice' ? 'team' : ref.rematch };
  const type = await columnType(db, ref.targetTable, ref.targetColumn);
  const ctx = contextSql(target, `v.value::${type}`, 'w', { seriesHaveLeague: await seriesHaveLeague(db) });
  const rows: Array<Record<string, string | null>> = await db.query(
    `select v.value, ${CONTEXT_COLUMNS.map((c) => `${ctx.columns[c]} as ${c}`).join(', ')}
       from unnest($1::text[]) v(value) ${ctx.joins}`,
    [distinct],
  );
  for (const row of rows) {
    const words = targetWords(target.rematch, row);
    // An external player id is its own name; others get their row id, to look them up by.
    const id = target.rematch === 'external_player' ? '' : `, id ${row.value}`;
    found.set(String(row.value), words ? `${words}${id}` : `${ref.targetTable} ${row.value}`);
  }
  return found;
}

/** "re-pointed to team X (L), id 45 (matched on the same league, club and series)". */
export function repointedWords(
  now: string | undefined,
  strategy: string,
  dryRun: boolean,
  reinserted = 0,
): string {
  const phrase = (STRATEGIES as Record<string, string | undefined>)[strategy];
  const how = phrase ? ` (matched on ${phrase})` : ` (${strategy})`;
  const target = now ?? 'a target that no longer exists';
  if (reinserted > 0) {
    const below = reinserted > 1 ? `, with the ${reinserted - 1} row(s) deleted with it,` : '';
    return `${dryRun ? 'would be put back' : 'put back'}${below} on ${target}${how}`;
  }
  return `${dryRun ? 'would be re-pointed' : 're-pointed'} to ${target}${how}`;
}
