-- bpetl: application tables (an adopted database has its own; migrate records this as adopted)
-- Reference data: refreshed from feeds, upserted on natural keys so ids never change.

create table leagues (
  id serial primary key,
  league_id text not null,
  league_name text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint unique_league_id unique (league_id)
);

create table clubs (
  id serial primary key,
  name text not null,
  -- Clubs match case- and space-insensitively ("Valley  Lo" is "valley lo").
  name_key text generated always as (lower(regexp_replace(btrim(name), '\s+', ' ', 'g'))) stored,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint unique_club_name unique (name),
  constraint unique_club_name_key unique (name_key)
);

create table series (
  id serial primary key,
  name text not null,
  display_name text,
  -- Owning league; nullable because the application may create a series before linking it.
  league_id integer references leagues (id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint unique_series_league_name unique nulls not distinct (league_id, name)
);

create table club_leagues (
  id serial primary key,
  club_id integer not null references clubs (id),
  league_id integer not null references leagues (id),
  created_at timestamptz not null default now(),
  constraint unique_club_league unique (club_id, league_id)
);

create table series_leagues (
  id serial primary key,
  series_id integer not null references series (id),
  league_id integer not null references leagues (id),
  created_at timestamptz not null default now(),
  constraint unique_series_league unique (series_id, league_id)
);

create table teams (
  id serial primary key,
  club_id integer not null references clubs (id),
  series_id integer not null references series (id),
  league_id integer not null references leagues (id),
  team_name text not null,
  team_alias text,
  display_name text,
  is_active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint unique_team_club_series_league unique (club_id, series_id, league_id)
);
create index teams_league_idx on teams (league_id, is_active);
create index teams_series_idx on teams (series_id);

create table players (
  id serial primary key,
  tenniscores_player_id text not null,
  first_name text not null default '',
  last_name text not null default '',
  league_id integer not null references leagues (id),
  club_id integer not null references clubs (id),
  series_id integer not null references series (id),
  team_id integer references teams (id),
  is_active boolean not null default true,
  pti numeric(6, 2),
  wins integer not null default 0,
  losses integer not null default 0,
  captain text not null default '',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint unique_player_league_club_series unique (tenniscores_player_id, league_id, club_id, series_id)
);
create index players_team_idx on players (team_id);
create index players_external_idx on players (tenniscores_player_id);

create table schedule (
  id serial primary key,
  league_id integer references leagues (id),
  match_date date not null,
  match_time text,
  home_team text not null,
  away_team text not null default '',
  home_team_id integer references teams (id),
  away_team_id integer references teams (id),
  location text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- Fixtures only: practice rows (away_team = '') belong to users and may repeat on a date.
create unique index unique_schedule_fixture on schedule (league_id, match_date, home_team, away_team)
  nulls not distinct where away_team <> '';
create index schedule_home_team_idx on schedule (home_team_id);
create index schedule_away_team_idx on schedule (away_team_id);

create table series_stats (
  id serial primary key,
  league_id integer not null references leagues (id),
  series_id integer references series (id),
  team_id integer references teams (id),
  series text not null,
  team text not null,
  points integer not null default 0,
  matches_won integer not null default 0,
  matches_lost integer not null default 0,
  matches_tied integer not null default 0,
  lines_won integer not null default 0,
  lines_lost integer not null default 0,
  sets_won integer not null default 0,
  sets_lost integer not null default 0,
  games_won integer not null default 0,
  games_lost integer not null default 0,
  updated_at timestamptz not null default now(),
  constraint unique_series_stats_team unique (league_id, series, team)
);
create index series_stats_team_idx on series_stats (team_id);
