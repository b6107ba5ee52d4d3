import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import pg from 'pg';
import { inject } from 'vitest';

import { withDatabase } from '../../src/db/url.ts';
import { openSource } from '../../src/sources/open-source.ts';
import type { PlayerRecord, TeamRecord } from '../../src/sources/records.ts';

/** The platform's own schema, read in place (never copied into the project). */
export const PLATFORM_DUMP = path.resolve('../shared/fixtures/platform-schema/staging-2025-07-08.sql');
export const FEEDS = path.resolve('../shared/fixtures/leagues');

export interface ScratchDatabase {
  url: string;
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

/** A new, empty database (not the migrated template): adoption starts from the platform's own. */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const adminUrl = inject('adminUrl');
  const name = `bpetl_adopt_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 3 });
  pool.on('error', () => undefined);
  return {
    url,
    async query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]) {
      return (await pool.query<R>(sql, params)).rows;
    },
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** Loads the dump on its own connection: it empties search_path for the session it runs in. */
export async function loadPlatformSchema(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(await readFile(PLATFORM_DUMP, 'utf8'));
  } finally {
    await client.end();
  }
}

/**
 * Tables later versions of the platform added (not in the July 2025 dump), as the adoption issue
 * describes them: found by the same discovery as the dump's own.
 */
export const LATER_TABLES = `
  create table public.captain_messages (
    id serial primary key,
    team_id integer not null references public.teams (id),
    captain_user_id integer references public.users (id),
    message text not null,
    created_at timestamptz default now());
  create table public.saved_lineups (
    id serial primary key,
    user_id integer references public.users (id),
    team_id integer not null references public.teams (id) on delete cascade,
    lineup_name character varying(255) not null,
    lineup_data jsonb not null default '{}',
    created_at timestamptz default now());
  create table public.lineup_escrow (
    id serial primary key,
    initiator_user_id integer references public.users (id),
    initiator_team_id integer references public.teams (id),
    recipient_team_id integer references public.teams (id),
    lineup text,
    status character varying(50) default 'pending',
    created_at timestamptz default now());
  create table public.user_contexts (
    user_id integer primary key references public.users (id),
    league_id integer references public.leagues (id) on delete set null,
    team_id integer references public.teams (id) on delete set null,
    series_id integer references public.series (id) on delete set null,
    updated_at timestamptz default now());`;

export interface LegacyTeams {
  teams: TeamRecord[];
  players: PlayerRecord[];
}

/**
 * Teams and players of a real feed, as the old ETL left them: a few teams per league whose name
 * is unique in it (the platform keys team names per league), with some players each.
 */
export async function legacyTeams(feed: string, perLeague = 6, perTeam = 3): Promise<LegacyTeams> {
  const source = await openSource(path.join(FEEDS, feed));
  const teams = new Map<string, TeamRecord>();
  const names = new Map<string, number>();
  const players: PlayerRecord[] = [];
  for await (const batch of source.batches()) {
    for (const item of batch) {
      if (item.kind === 'team' && !teams.has(item.record.canonicalKey)) {
        teams.set(item.record.canonicalKey, item.record);
        const name = `${item.record.league}|${item.record.teamName}`;
        names.set(name, (names.get(name) ?? 0) + 1);
      }
      if (item.kind === 'player') players.push(item.record);
    }
  }
  const chosen: TeamRecord[] = [];
  for (const team of teams.values()) {
    const sameLeague = chosen.filter((t) => t.league === team.league).length;
    if (sameLeague < perLeague && names.get(`${team.league}|${team.teamName}`) === 1) chosen.push(team);
  }
  const keys = new Set(chosen.map((t) => t.canonicalKey));
  const perKey = new Map<string, number>();
  const kept = players.filter((p) => {
    const key = p.teamKey;
    if (!key || !keys.has(key)) return false;
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    return perKey.get(key)! <= perTeam;
  });
  return { teams: chosen, players: kept };
}

const lit = (value: string | null) => (value === null ? 'null' : `'${value.replace(/'/g, "''")}'`);

/** The old ETL's plain inserts of those teams and players (and their leagues, clubs, series). */
export function legacyReferenceSql({ teams, players }: LegacyTeams): string {
  const leagues = [...new Set(teams.map((t) => t.league))];
  const clubs = [...new Set(teams.map((t) => t.club))];
  const series = [...new Map(teams.map((t) => [t.series, t.seriesDisplay])).entries()];
  const links = [...new Set(teams.map((t) => `${t.series}|${t.league}`))].map((l) => l.split('|'));
  const teamRows = teams.map(
    (t) =>
      `(${lit(t.club)}, ${lit(t.series)}, ${lit(t.league)}, ${lit(t.teamName)}, ${lit(t.teamAlias)}, ${lit(t.teamName)})`,
  );
  const playerRows = players.map(
    (p) => `(${lit(p.externalId)}, ${lit(p.firstName)}, ${lit(p.lastName)}, ${lit(p.teamKey)})`,
  );
  return `
    insert into leagues (league_id, league_name) values ${leagues.map((l) => `(${lit(l)}, ${lit(l)})`).join(', ')};
    insert into clubs (name) values ${clubs.map((c) => `(${lit(c)})`).join(', ')};
    insert into series (name, display_name) values ${series.map(([n, d]) => `(${lit(n)}, ${lit(d)})`).join(', ')};
    insert into series_leagues (series_id, league_id)
      select s.id, l.id from (values ${links.map(([s, l]) => `(${lit(s!)}, ${lit(l!)})`).join(', ')}) v(series, league)
      join series s on s.name = v.series join leagues l on l.league_id = v.league;
    create temp table legacy_teams (club text, series text, league text, team_name text, team_alias text,
                                    display_name text, team_key text);
    insert into legacy_teams values ${teams
      .map((t, i) => `${teamRows[i]!.slice(0, -1)}, ${lit(t.canonicalKey)})`)
      .join(', ')};
    insert into teams (club_id, series_id, league_id, team_name, team_alias, display_name)
      select c.id, s.id, l.id, v.team_name, v.team_alias, v.display_name from legacy_teams v
      join clubs c on c.name = v.club join series s on s.name = v.series join leagues l on l.league_id = v.league;
    insert into players (tenniscores_player_id, first_name, last_name, club_id, series_id, league_id, team_id)
      select v.external_id, v.first_name, v.last_name, t.club_id, t.series_id, t.league_id, t.id
        from (values ${playerRows.join(', ')}) v(external_id, first_name, last_name, team_key)
        join legacy_teams lt on lt.team_key = v.team_key
        join clubs c on c.name = lt.club join series s on s.name = lt.series join leagues l on l.league_id = lt.league
        join teams t on t.club_id = c.id and t.series_id = s.id and t.league_id = l.id;
    drop table legacy_teams;`;
}

/**
 * User data of every type on those teams, written the way the application writes it, plus two
 * orphans the old ETL left months ago: a poll whose creator's one player says its team, and a
 * captain message whose text names its team.
 */
export const LEGACY_USER_DATA = `
  insert into users (email, password_hash, first_name, last_name)
    select 'user' || t.id || '@example.com', 'x', 'User', t.id::text from teams t;
  insert into user_player_associations (user_id, tenniscores_player_id, is_primary)
    select u.id, p.tenniscores_player_id, true
      from users u join teams t on u.email = 'user' || t.id || '@example.com'
      cross join lateral (select tenniscores_player_id from players p where p.team_id = t.id
                           order by p.id limit 1) p;
  insert into polls (team_id, created_by, question)
    select t.id, u.id, 'Who plays on ' || t.team_name || '?'
      from teams t join users u on u.email = 'user' || t.id || '@example.com';
  insert into poll_choices (poll_id, choice_text) select id, 'Yes' from polls;
  insert into poll_responses (poll_id, choice_id, player_id)
    select po.id, c.id, (select min(p.id) from players p where p.team_id = po.team_id)
      from polls po join poll_choices c on c.poll_id = po.id;
  insert into captain_messages (team_id, captain_user_id, message)
    select t.id, u.id, 'Practice on Tuesday' from teams t join users u on u.email = 'user' || t.id || '@example.com';
  insert into schedule (match_date, match_time, home_team, away_team, home_team_id, league_id)
    select date '2025-09-02', time '18:00', c.name || ' Practice - ' || s.name, '', t.id, t.league_id
      from teams t join clubs c on c.id = t.club_id join series s on s.id = t.series_id;
  insert into player_availability (player_name, player_id, user_id, match_date, availability_status, series_id)
    select p.first_name || ' ' || p.last_name, p.id, u.id, timestamptz '2025-09-09 00:00:00+00', 1, p.series_id
      from players p join teams t on t.id = p.team_id
      join users u on u.email = 'user' || t.id || '@example.com'
     where p.id = (select min(id) from players where team_id = t.id);
  insert into user_contexts (user_id, league_id, team_id, series_id)
    select u.id, t.league_id, t.id, t.series_id from teams t join users u on u.email = 'user' || t.id || '@example.com';
  insert into saved_lineups (user_id, team_id, lineup_name)
    select u.id, t.id, 'Week 1' from teams t join users u on u.email = 'user' || t.id || '@example.com';
  insert into lineup_escrow (initiator_user_id, initiator_team_id, recipient_team_id)
    select u.id, t.id, (select max(id) from teams) from teams t
      join users u on u.email = 'user' || t.id || '@example.com';
  insert into user_instructions (user_email, instruction, team_id, series_id)
    select u.email, 'Bring balls', t.id, t.series_id from teams t
      join users u on u.email = 'user' || t.id || '@example.com';

  -- Orphans that predate adoption (the old ETL deleted and re-inserted teams, keys off, for months).
  set session_replication_role = replica;
  insert into polls (team_id, created_by, question)
    select 900001, u.id, 'Dinner after the match?'
      from users u where u.email = (select 'user' || min(id) || '@example.com' from teams);
  insert into captain_messages (team_id, captain_user_id, message)
    select 900002, null, 'Reminder for ' || t.team_name || ': lineups are due Friday'
      from teams t where t.id = (select max(id) from teams);
  set session_replication_role = origin;`;

/**
 * The old ETL's reload: every team and player deleted and inserted again under new ids, with
 * foreign-key checks off (`session_replication_role = replica`), in one transaction.
 */
export const LEGACY_RELOAD = `
      begin;
      set local session_replication_role = replica;
      create temp table old_teams on commit drop as select * from teams;
      create temp table old_players on commit drop as select * from players;
      delete from players;
      delete from teams;
      insert into teams (club_id, series_id, league_id, team_name, team_alias, display_name, is_active)
        select club_id, series_id, league_id, team_name, team_alias, display_name, is_active from old_teams;
      insert into players (tenniscores_player_id, first_name, last_name, club_id, series_id, league_id, team_id,
                           is_active)
        select p.tenniscores_player_id, p.first_name, p.last_name, p.club_id, p.series_id, p.league_id, t.id,
               p.is_active
          from old_players p left join old_teams o on o.id = p.team_id
          left join teams t on (t.club_id, t.series_id, t.league_id) = (o.club_id, o.series_id, o.league_id);
      commit;`;

/** Every user row's team reference, with the natural key of the team it names. */
export const USER_TEAM_REFERENCES = `
  with refs as (
    select 'polls' as t, id::text as row_id, team_id from polls
    union all select 'captain_messages', id::text, team_id from captain_messages
    union all select 'schedule', id::text, home_team_id from schedule where coalesce(away_team, '') = ''
    union all select 'user_contexts', user_id::text, team_id from user_contexts
    union all select 'saved_lineups', id::text, team_id from saved_lineups
    union all select 'lineup_escrow', id::text, initiator_team_id from lineup_escrow
    union all select 'user_instructions', id::text, team_id from user_instructions
    union all select 'poll_responses', pr.id::text, p.team_id from poll_responses pr join players p on p.id = pr.player_id
    union all select 'player_availability', pa.id::text, p.team_id
      from player_availability pa join players p on p.id = pa.player_id)
  select r.t, r.row_id, l.league_id || '|' || c.name || '|' || s.name as team
    from refs r left join teams tm on tm.id = r.team_id
    left join leagues l on l.id = tm.league_id left join clubs c on c.id = tm.club_id
    left join series s on s.id = tm.series_id
   order by 1, 2`;

/** Columns of every application table, as information_schema reports them. */
export const APPLICATION_COLUMNS = `
  select table_name, column_name, ordinal_position, data_type, character_maximum_length, is_nullable,
         column_default, is_identity, is_generated
    from information_schema.columns where table_schema = 'public'
   order by table_name, ordinal_position`;

/** Constraints of every application table, with their definitions. */
export const APPLICATION_CONSTRAINTS = `
  select conrelid::regclass::text as table, conname, pg_get_constraintdef(oid) as definition
    from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`;
