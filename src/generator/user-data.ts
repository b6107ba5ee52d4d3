/**
 * Seeds user data of every protected type onto the reference data already in the database, with
 * set-based statements (insert … select over teams and generate_series): a few thousand rows for a
 * demo, a million for a benchmark, in the same handful of statements.
 *
 * The unit is a *group*: one captain and one member of a team, with what they create — a poll with
 * three choices and responses from the team's players, a captain message, a practice time, links to
 * two players' external ids, availability for two players, both users' active team, a saved lineup.
 * Groups go round-robin over the active teams in id order, so the same database and seed give the
 * same rows.
 */
import type pg from 'pg';

import { withPgClientTransaction } from '../db/sql.ts';
import { AppError } from '../errors.ts';
import { hash32, type Seed } from './random.ts';
import {
  count,
  dropTemp,
  insertGroupRows,
  insertPolls,
  insertUserLinks,
  insertUsers,
  stageGroups,
  stageTeams,
} from './user-data-rows.ts';

export interface SeedUserDataOptions {
  seed: Seed;
  /** Groups per active team (fractions spread over the teams); default 1, about 18 rows per team. */
  perTeam?: number;
  /** Instead of perTeam: about this many user-data rows in total (e.g. 1_000_000 for a benchmark). */
  targetRows?: number;
  /** Only teams of these league codes (`leagues.league_id`); default all. */
  leagues?: readonly string[];
}

export interface SeedUserDataResult {
  /** Active teams the data was spread over. */
  teams: number;
  groups: number;
  users: number;
  polls: number;
  poll_choices: number;
  poll_responses: number;
  captain_messages: number;
  /** schedule rows `<Club> Practice - <Series>` with away_team ''. */
  practice_times: number;
  user_player_associations: number;
  player_availability: number;
  user_contexts: number;
  saved_lineups: number;
  total: number;
}

/** Rows one group adds when its team has at least three players. */
export const USER_ROWS_PER_GROUP = 18;

/**
 * Inserts deterministic user data for the teams and players in the database, in a transaction of
 * its own on one of the pool's clients.
 */
export async function seedUserData(pool: pg.Pool, options: SeedUserDataOptions): Promise<SeedUserDataResult> {
  validate(options);
  return withPgClientTransaction(pool, (client) => seedOn(client, options));
}

/** The same on the client of the caller's transaction (a pipeline step's, via pgClientOf). */
export async function seedUserDataOn(
  client: pg.ClientBase,
  options: SeedUserDataOptions,
): Promise<SeedUserDataResult> {
  validate(options);
  return seedOn(client, options);
}

function validate(options: SeedUserDataOptions): void {
  const { perTeam, targetRows } = options;
  if (perTeam !== undefined && targetRows !== undefined) {
    throw new AppError('INVALID_INPUT', 'seedUserData: give perTeam or targetRows, not both', {
      perTeam,
      targetRows,
    });
  }
  if (perTeam !== undefined && !(Number.isFinite(perTeam) && perTeam > 0)) {
    throw new AppError('INVALID_INPUT', `seedUserData: perTeam must be a number > 0, got ${perTeam}`, {
      perTeam,
    });
  }
  if (targetRows !== undefined && !(Number.isInteger(targetRows) && targetRows > 0)) {
    throw new AppError(
      'INVALID_INPUT',
      `seedUserData: targetRows must be a whole number > 0, got ${targetRows}`,
      {
        targetRows,
      },
    );
  }
}

async function seedOn(client: pg.ClientBase, options: SeedUserDataOptions): Promise<SeedUserDataResult> {
  const tag = hash32(String(options.seed), 'users').toString(36);
  const salt = hash32(String(options.seed), 'salt') % 100_000;
  const emailPrefix = `gen-${tag}-`;
  if (
    await count(client, `select count(*) as n from (select 1 from users where email like $1 limit 1) x`, [
      `${emailPrefix}%`,
    ])
  ) {
    throw new AppError(
      'INVALID_INPUT',
      `seedUserData: user data for seed ${String(options.seed)} is already there`,
      {
        seed: options.seed,
      },
    );
  }
  await dropTemp(client);
  try {
    const teamCount = await stageTeams(client, options.leagues);
    if (teamCount === 0) {
      throw new AppError('NOT_FOUND', 'seedUserData: there are no active teams to attach user data to', {
        leagues: options.leagues ?? null,
      });
    }
    const groups =
      options.targetRows !== undefined
        ? Math.ceil(options.targetRows / USER_ROWS_PER_GROUP)
        : Math.max(1, Math.round((options.perTeam ?? 1) * teamCount));
    await stageGroups(client, groups, teamCount);
    const users = await insertUsers(client, emailPrefix, salt);
    const rows = {
      users,
      ...(await insertPolls(client, salt)),
      ...(await insertGroupRows(client)),
      ...(await insertUserLinks(client, salt)),
    };
    const result: SeedUserDataResult = {
      teams: teamCount,
      groups,
      ...rows,
      total: Object.values(rows).reduce((sum, n) => sum + n, 0),
    };
    await dropTemp(client);
    return result;
  } catch (err) {
    // In an aborted transaction the drop fails too; the original error is the one to report.
    await dropTemp(client).catch(() => undefined);
    throw err;
  }
}
