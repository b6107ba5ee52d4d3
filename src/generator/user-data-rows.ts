import type pg from 'pg';

/**
 * The statements of seedUserData, phase by phase, on temp tables of the session: the teams and
 * groups to seed, then the users, their polls, and the rest of what a group creates.
 */

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

export async function count(client: pg.ClientBase, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await client.query<{ n: string }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** The active teams to seed (of `leagues`, when given), numbered in id order; returns how many. */
export async function stageTeams(
  client: pg.ClientBase,
  leagues: readonly string[] | undefined,
): Promise<number> {
  await client.query(
    `create temp table bpetl_gen_team as
     select t.id as team_id, t.series_id, t.league_id, c.name as club, s.name as series,
            (row_number() over (order by t.id) - 1)::int as rn
     from teams t
     join clubs c on c.id = t.club_id
     join series s on s.id = t.series_id
     join leagues l on l.id = t.league_id
     where t.is_active and ($1::text[] is null or l.league_id = any ($1::text[]))`,
    [leagues ? [...leagues] : null],
  );
  return count(client, `select count(*) as n from bpetl_gen_team`);
}

/** `groups` groups round-robin over the teams, and the players of their teams. */
export async function stageGroups(client: pg.ClientBase, groups: number, teamCount: number): Promise<void> {
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
}

/** Two users a group (its captain, k = 0, and a member); returns how many. */
export async function insertUsers(client: pg.ClientBase, emailPrefix: string, salt: number): Promise<number> {
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
  return users;
}

/** A poll a group, by its captain, with three choices and responses from three of the team's players. */
export async function insertPolls(
  client: pg.ClientBase,
  salt: number,
): Promise<{ polls: number; poll_choices: number; poll_responses: number }> {
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
  return { polls, poll_choices: pollChoices, poll_responses: pollResponses };
}

/** A group's captain message and practice time. */
export async function insertGroupRows(client: pg.ClientBase) {
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
  return { captain_messages: captainMessages, practice_times: practiceTimes };
}

/** What links a group's users to players and teams: external ids, availability, active team, lineup. */
export async function insertUserLinks(client: pg.ClientBase, salt: number) {
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
  return {
    user_player_associations: associations,
    player_availability: availability,
    user_contexts: contexts,
    saved_lineups: lineups,
  };
}

async function rowCount(client: pg.ClientBase, sql: string, params: unknown[] = []): Promise<number> {
  return (await client.query(sql, params)).rowCount ?? 0;
}

export async function dropTemp(client: pg.ClientBase): Promise<void> {
  // pg_temp: only this session's own temporary tables, never a real table of the same name.
  for (const table of TEMP_TABLES) await client.query(`drop table if exists pg_temp.${table}`);
}
