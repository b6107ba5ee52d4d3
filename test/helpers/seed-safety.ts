import type pg from 'pg';

export interface SeedOptions {
  /** Clubs per league (named `Club <n>`, shared by every league). */
  clubs?: number;
  /** Series per league (named `Series <n>`). */
  series?: number;
  playersPerTeam?: number;
  /** User rows of every protected type per team. */
  perTeam?: number;
}

/**
 * Two leagues of synthetic reference data and user data of every protected type, set-based so a
 * few hundred thousand rows take seconds. Every team gets `perTeam` polls (with a choice and a
 * response), captain messages, practice rows, saved lineups, availability rows, account links and
 * user contexts.
 */
export async function seedSafetyData(db: pg.Pool, options: SeedOptions = {}): Promise<void> {
  const { clubs = 3, series = 2, playersPerTeam = 2, perTeam = 1 } = options;
  await db.query(`
    insert into leagues (league_id, league_name) values ('ALPHA', 'Alpha League'), ('BETA', 'Beta League');
    insert into clubs (name) select 'Club ' || n from generate_series(1, ${clubs}) n;
    insert into series (name, league_id)
      select 'Series ' || n, l.id from generate_series(1, ${series}) n cross join leagues l;
    insert into club_leagues (club_id, league_id) select c.id, l.id from clubs c cross join leagues l;
    insert into series_leagues (series_id, league_id) select id, league_id from series;
    insert into teams (club_id, series_id, league_id, team_name, team_alias)
      select c.id, s.id, s.league_id, c.name || ' - ' || split_part(s.name, ' ', 2),
             c.name || ' ' || split_part(s.name, ' ', 2)
        from clubs c cross join series s;
    insert into players (tenniscores_player_id, first_name, last_name, league_id, club_id, series_id, team_id)
      select 'ext-' || t.id || '-' || n, 'First' || n, 'Last' || t.id, t.league_id, t.club_id, t.series_id, t.id
        from teams t cross join generate_series(1, ${playersPerTeam}) n;
    insert into users (email) select 'user' || t.id || '-' || n || '@example.test'
      from teams t cross join generate_series(1, ${perTeam}) n;
  `);
  await db.query(`
    create temp table seed_pairs as
      select t.id as team_id, t.club_id, t.series_id, t.league_id, u.id as user_id,
             (select min(p.id) from players p where p.team_id = t.id) as player_id
        from teams t cross join generate_series(1, ${perTeam}) n
        join users u on u.email = 'user' || t.id || '-' || n || '@example.test';
    insert into polls (team_id, created_by, question) select team_id, user_id, 'Play Friday?' from seed_pairs;
    insert into poll_choices (poll_id, choice_text) select id, 'Yes' from polls;
    insert into poll_responses (poll_id, choice_id, player_id)
      select p.id, c.id, sp.player_id from polls p join poll_choices c on c.poll_id = p.id
        join seed_pairs sp on sp.user_id = p.created_by;
    insert into captain_messages (team_id, captain_user_id, message) select team_id, user_id, 'Bring balls' from seed_pairs;
    insert into schedule (league_id, match_date, home_team, away_team, home_team_id)
      select sp.league_id, date '2025-07-01', c.name || ' Practice - ' || s.name, '', sp.team_id
        from seed_pairs sp join clubs c on c.id = sp.club_id join series s on s.id = sp.series_id;
    insert into saved_lineups (user_id, team_id, lineup_name) select user_id, team_id, 'A' from seed_pairs;
    insert into player_availability (player_id, user_id, match_date, series_id)
      select player_id, user_id, date '2025-07-01', series_id from seed_pairs;
    insert into user_player_associations (user_id, tenniscores_player_id)
      select sp.user_id, p.tenniscores_player_id from seed_pairs sp join players p on p.id = sp.player_id;
    insert into user_contexts (user_id, active_team_id) select user_id, team_id from seed_pairs;
    drop table seed_pairs;
  `);
}

/**
 * A club entered twice (`Club 2` and `CLUB  2`), each spelling owning a team in the same series and
 * league, and the same player under both: merging the clubs makes those teams and players duplicates
 * of each other although the teams and players keys are enforced.
 */
export async function addClubSpelling(db: pg.Pool): Promise<void> {
  await db.query(`
    alter table clubs drop constraint unique_club_name_key;
    insert into clubs (name) values ('CLUB  2');
    insert into teams (club_id, series_id, league_id, team_name)
      select (select id from clubs where name = 'CLUB  2'), t.series_id, t.league_id, 'CLUB 2 - 1'
        from teams t join clubs c on c.id = t.club_id where c.name = 'Club 2';
    insert into players (tenniscores_player_id, league_id, club_id, series_id, team_id)
      select p.tenniscores_player_id, p.league_id, t.club_id, p.series_id, t.id
        from players p join teams t on t.series_id = p.series_id and t.league_id = p.league_id
       where t.team_name = 'CLUB 2 - 1'
         and p.club_id = (select id from clubs where name = 'Club 2') and p.first_name = 'First1';
    insert into polls (team_id, question) select id, 'shouted club' from teams where team_name = 'CLUB 2 - 1';
    insert into poll_choices (poll_id, choice_text) select id, 'y' from polls where question = 'shouted club';
    insert into poll_responses (poll_id, choice_id, player_id)
      select c.poll_id, c.id, p.id from poll_choices c join polls q on q.id = c.poll_id
        join players p on p.team_id = q.team_id where q.question = 'shouted club';
  `);
}

/** Row counts of every user-data table. */
export async function userRowCounts(db: pg.Pool): Promise<Record<string, number>> {
  const tables = [
    'users',
    'polls',
    'poll_choices',
    'poll_responses',
    'captain_messages',
    'schedule',
    'user_player_associations',
    'player_availability',
    'user_contexts',
    'saved_lineups',
  ];
  const { rows } = await db.query<{ t: string; n: number }>(
    tables.map((t) => `select '${t}' as t, count(*)::int as n from ${t}`).join(' union all '),
  );
  return Object.fromEntries(rows.map((r) => [r.t, r.n]));
}

/** A checksum of a whole table, to prove a dry run changed nothing. */
export async function tableChecksum(db: pg.Pool, table: string, orderBy = 'id'): Promise<string> {
  const { rows } = await db.query<{ sum: string }>(
    `select coalesce(md5(string_agg(t::text, ',' order by ${orderBy})), '') as sum from ${table} t`,
  );
  return rows[0]!.sum;
}
