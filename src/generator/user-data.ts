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

import { AppError } from '../errors.ts';
import { hash32, type Seed } from './random.ts';

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

const FIRST = ['Robin', 'Jamie', 'Taylor', 'Jordan', 'Riley', 'Skyler', 'Rowan', 'Peyton', 'Ellis', 'Shay'];
const LAST = [
  'Ambler',
  'Birchall',
  'Coyle',
  'Denholm',
  'Eckert',
  'Fairlie',
  'Gorman',
  'Hext',
  'Ivers',
  'Jessop',
];
const QUESTIONS = [
  'Who can play this weekend',
  'Move practice to Sunday',
  'Order new team shirts',
  'Host the end-of-season party',
];
const CHOICES = ['Yes', 'No', 'Maybe'];

const TEMP_TABLES = [
  'bpetl_gen_poll',
  'bpetl_gen_user',
  'bpetl_gen_player',
  'bpetl_gen_group',
  'bpetl_gen_team',
];

/**
 * Inserts deterministic user data for the teams and players in the database, in a transaction of
 * its own on one of the pool's clients.
 */
export async function seedUserData(pool: pg.Pool, options: SeedUserDataOptions): Promise<SeedUserDataResult> {
  validate(options);
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await seedOn(client, options);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
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

async function count(client: pg.ClientBase, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await client.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
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
    await client.query(
      `create temp table bpetl_gen_team as
       select t.id as team_id, t.series_id, t.league_id, c.name as club, s.name as series,
              (row_number() over (order by t.id) - 1)::int as rn
       from teams t
       join clubs c on c.id = t.club_id
       join series s on s.id = t.series_id
       join leagues l on l.id = t.league_id
       where t.is_active and ($1::text[] is null or l.league_id = any ($1::text[]))`,
      [options.leagues ? [...options.leagues] : null],
    );
    const teamCount = await count(client, `select count(*) as n from bpetl_gen_team`);
    if (teamCount === 0) {
      throw new AppError('NOT_FOUND', 'seedUserData: there are no active teams to attach user data to', {
        leagues: options.leagues ?? null,
      });
    }
    const groups =
      options.targetRows !== undefined
        ? Math.ceil(options.targetRows / USER_ROWS_PER_GROUP)
        : Math.max(1, Math.round((options.perTeam ?? 1) * teamCount));

    await client.query(
      `create temp table bpetl_gen_group as
       select g, t.team_id, t.series_id, t.league_id, t.club, t.series, g / $2::int as round
       from generate_series(0, $1::int - 1) g
       join bpetl_gen_team t on t.rn = g % $2::int`,
      [groups, teamCount],
    );
    await client.query(`create index on bpetl_gen_group (g)`);
    await client.query(
      `create temp table bpetl_gen_player as
       select p.id, p.team_id, p.tenniscores_player_id, p.first_name, p.last_name,
              (row_number() over (partition by p.team_id order by p.id) - 1)::int as rn,
              (count(*) over (partition by p.team_id))::int as cnt
       from players p
       where p.team_id in (select team_id from bpetl_gen_group)`,
    );
    await client.query(`create index on bpetl_gen_player (team_id, rn)`);
    await client.query(`analyze bpetl_gen_group`);
    await client.query(`analyze bpetl_gen_player`);

    const users = await rowCount(
      client,
      `insert into users (email, first_name, last_name)
       select $1 || g || '-' || k || '@example.test',
              ($2::text[])[1 + (g * 2 + k + $4::int) % cardinality($2::text[])],
              ($3::text[])[1 + (g * 7 + k * 3 + $4::int) % cardinality($3::text[])]
       from bpetl_gen_group cross join generate_series(0, 1) k
       order by g, k`,
      [emailPrefix, FIRST, LAST, salt],
    );
    await client.query(
      `create temp table bpetl_gen_user as
       select grp.g, k.k, u.id as user_id
       from bpetl_gen_group grp
       cross join generate_series(0, 1) k (k)
       join users u on u.email = $1 || grp.g || '-' || k.k || '@example.test'`,
      [emailPrefix],
    );
    await client.query(`create index on bpetl_gen_user (g, k)`);
    await client.query(`analyze bpetl_gen_user`);

    // Poll ids are drawn from the sequence first, so choices and responses join on a temp table rather
    // than on polls.created_by, which has no index and would make the planner scan polls per row.
    await client.query(
      `create temp table bpetl_gen_poll as
       select g, nextval(pg_get_serial_sequence('polls', 'id'))::int as poll_id
       from (select g from bpetl_gen_group order by g) grp`,
    );
    await client.query(`create index on bpetl_gen_poll (poll_id)`);
    await client.query(`analyze bpetl_gen_poll`);
    const polls = await rowCount(
      client,
      `insert into polls (id, team_id, created_by, question, created_at)
       select gp.poll_id, grp.team_id, u.user_id,
              ($1::text[])[1 + (grp.g + $2::int) % cardinality($1::text[])] || ' (' || grp.series || ')?',
              timestamptz '2025-01-06 12:00:00+00' + (grp.g % 60) * interval '1 day'
       from bpetl_gen_poll gp
       join bpetl_gen_group grp on grp.g = gp.g
       join bpetl_gen_user u on u.g = grp.g and u.k = 0
       order by grp.g`,
      [QUESTIONS, salt],
    );
    const pollChoices = await rowCount(
      client,
      `insert into poll_choices (poll_id, choice_text)
       select gp.poll_id, c.txt
       from bpetl_gen_poll gp cross join unnest($1::text[]) with ordinality c (txt, ord)
       order by gp.poll_id, c.ord`,
      [CHOICES],
    );
    const pollResponses = await rowCount(
      client,
      `insert into poll_responses (poll_id, choice_id, player_id, responded_at)
       select gp.poll_id, ch.id, pl.id,
              timestamptz '2025-01-06 12:00:00+00' + (grp.g % 60) * interval '1 day' + (pl.rn + 1) * interval '1 hour'
       from bpetl_gen_poll gp
       join bpetl_gen_group grp on grp.g = gp.g
       join bpetl_gen_player pl on pl.team_id = grp.team_id and pl.rn < 3
       join (
         select c.id, c.poll_id, (row_number() over (partition by c.poll_id order by c.id) - 1)::int as ord
         from poll_choices c
         where c.poll_id in (select poll_id from bpetl_gen_poll)
       ) ch on ch.poll_id = gp.poll_id and ch.ord = (pl.id + $1::int) % 3
       order by gp.poll_id, pl.rn`,
      [salt],
    );

    const captainMessages = await rowCount(
      client,
      `insert into captain_messages (team_id, captain_user_id, message, created_at)
       select grp.team_id, u.user_id,
              'Lineup for ' || grp.series || ' is posted; reply by Thursday.',
              timestamptz '2025-01-08 18:00:00+00' + (grp.g % 45) * interval '1 day'
       from bpetl_gen_group grp
       join bpetl_gen_user u on u.g = grp.g and u.k = 0
       order by grp.g`,
    );

    const practiceTimes = await rowCount(
      client,
      `insert into schedule (league_id, match_date, match_time, home_team, away_team, home_team_id, location)
       select grp.league_id, date '2025-01-04' + ((grp.round * 7 + grp.g % 7) % 364),
              '10:30 AM', grp.club || ' Practice - ' || grp.series, '', grp.team_id, grp.club
       from bpetl_gen_group grp
       order by grp.g`,
    );

    const associations = await rowCount(
      client,
      `insert into user_player_associations (user_id, tenniscores_player_id, is_primary)
       select u.user_id, pl.tenniscores_player_id, true
       from bpetl_gen_user u
       join bpetl_gen_group grp on grp.g = u.g
       join bpetl_gen_player pl on pl.team_id = grp.team_id and pl.rn = (grp.round * 2 + u.k) % pl.cnt
       order by u.g, u.k`,
    );

    const availability = await rowCount(
      client,
      `insert into player_availability (player_name, player_id, user_id, match_date, availability_status, series_id)
       select btrim(pl.first_name || ' ' || pl.last_name), pl.id, u.user_id,
              date '2025-01-07' + ((grp.g + u.k) % 10) * 7,
              1 + (grp.g + u.k + $1::int) % 3, grp.series_id
       from bpetl_gen_group grp
       join bpetl_gen_user u on u.g = grp.g
       join bpetl_gen_player pl on pl.team_id = grp.team_id and pl.rn = (grp.round * 2 + u.k) % pl.cnt
       order by grp.g, u.k`,
      [salt],
    );

    const contexts = await rowCount(
      client,
      `insert into user_contexts (user_id, active_team_id)
       select u.user_id, grp.team_id
       from bpetl_gen_user u join bpetl_gen_group grp on grp.g = u.g
       order by u.g, u.k`,
    );

    const lineups = await rowCount(
      client,
      `insert into saved_lineups (user_id, team_id, lineup_name, lineup_data)
       select u.user_id, grp.team_id, 'Lineup ' || (grp.round + 1) || ' - ' || grp.series,
              jsonb_build_object('players', coalesce((
                select jsonb_agg(pl.tenniscores_player_id order by pl.rn)
                from bpetl_gen_player pl where pl.team_id = grp.team_id and pl.rn < 4
              ), '[]'::jsonb))
       from bpetl_gen_group grp
       join bpetl_gen_user u on u.g = grp.g and u.k = 0
       order by grp.g`,
    );

    const result: SeedUserDataResult = {
      teams: teamCount,
      groups,
      users,
      polls,
      poll_choices: pollChoices,
      poll_responses: pollResponses,
      captain_messages: captainMessages,
      practice_times: practiceTimes,
      user_player_associations: associations,
      player_availability: availability,
      user_contexts: contexts,
      saved_lineups: lineups,
      total: 0,
    };
    result.total =
      result.users +
      result.polls +
      result.poll_choices +
      result.poll_responses +
      result.captain_messages +
      result.practice_times +
      result.user_player_associations +
      result.player_availability +
      result.user_contexts +
      result.saved_lineups;
    await dropTemp(client);
    return result;
  } catch (err) {
    // In an aborted transaction the drop fails too; the original error is the one to report.
    await dropTemp(client).catch(() => undefined);
    throw err;
  }
}

async function rowCount(client: pg.ClientBase, sql: string, params: unknown[] = []): Promise<number> {
  return (await client.query(sql, params)).rowCount ?? 0;
}

async function dropTemp(client: pg.ClientBase): Promise<void> {
  // pg_temp: only this session's own temporary tables, never a real table of the same name.
  for (const table of TEMP_TABLES) await client.query(`drop table if exists pg_temp.${table}`);
}
