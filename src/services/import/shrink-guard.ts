import type { PoolClient } from 'pg';

import { AppError } from '../../errors.ts';
import { demoShrinkNote } from '../demo/rows.ts';
import type { ImportStats, Shrink } from './import-stats.ts';
import * as resolve from './resolve.sql.ts';
import type { ImportShape } from './shape.ts';

/** Share of a league's active teams (or players) an import may retire without `allowShrink`. */
export const SHRINK_LIMIT = 0.25;

const shrinks = (rows: Array<{ league: string; active: number; missing: number }>): Shrink[] =>
  rows.map((r) => ({ ...r, fraction: r.active ? r.missing / r.active : 0 }));

/**
 * The shrink guard, before anything is written: a league in scope whose active teams, or active
 * players, would drop by more than SHRINK_LIMIT stops the run unless `allowShrink` is set.
 */
export async function checkShrink(
  client: PoolClient,
  shape: ImportShape,
  stats: ImportStats,
  allowShrink: boolean,
  /** Leagues whose players the source lists: only their players can shrink. */
  playerLeagues: string[],
): Promise<void> {
  stats.shrink = shrinks((await client.query(resolve.shrinkCheck(shape), [stats.scope])).rows);
  stats.playerShrink =
    playerLeagues.length > 0
      ? shrinks((await client.query(resolve.PLAYER_SHRINK_CHECK, [playerLeagues])).rows)
      : [];
  const over = (s: Shrink) => s.fraction > SHRINK_LIMIT;
  const leagues = [...new Set([...stats.shrink, ...stats.playerShrink].filter(over).map((s) => s.league))];
  if (leagues.length === 0 || allowShrink) return;
  const details = leagues.sort().map((league) => {
    const teams = stats.shrink.find((s) => s.league === league);
    const players = stats.playerShrink.find((s) => s.league === league);
    const change = (s: Shrink | undefined) => s && { before: s.active, after: s.active - s.missing };
    return { league, ...teams, teams: change(teams) ?? null, players: change(players) ?? null };
  });
  const parts = [
    ...stats.shrink.filter(over).map((s) => describeShrink(s, 'teams')),
    ...stats.playerShrink.filter(over).map((s) => describeShrink(s, 'players')),
  ];
  throw new AppError(
    'SHRINK_GUARD',
    `the import would retire ${parts.join(', ')}; more than ${SHRINK_LIMIT * 100} % needs allowShrink` +
      (await demoShrinkNote(client, stats.shrink.filter(over))),
    { leagues: details },
  );
}

function describeShrink(s: Shrink, what: 'teams' | 'players'): string {
  return `${s.missing} of ${s.active} active ${what} of ${s.league} (${Math.round(s.fraction * 100)} %)`;
}
