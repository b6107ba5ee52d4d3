-- bpetl: application tables (an adopted database has its own; migrate records this as adopted)
-- User data: created by the platform's users, hangs off reference data, must never be lost.

create table users (
  id serial primary key,
  email text not null,
  first_name text not null default '',
  last_name text not null default '',
  created_at timestamptz not null default now(),
  constraint unique_user_email unique (email)
);

create table polls (
  id serial primary key,
  team_id integer references teams (id),
  created_by integer references users (id),
  question text not null,
  created_at timestamptz not null default now()
);
create index polls_team_idx on polls (team_id);

create table poll_choices (
  id serial primary key,
  poll_id integer not null references polls (id) on delete cascade,
  choice_text text not null
);
create index poll_choices_poll_idx on poll_choices (poll_id);

create table poll_responses (
  id serial primary key,
  poll_id integer not null references polls (id) on delete cascade,
  choice_id integer not null references poll_choices (id) on delete cascade,
  player_id integer references players (id),
  responded_at timestamptz not null default now()
);
create index poll_responses_player_idx on poll_responses (player_id);

create table captain_messages (
  id serial primary key,
  team_id integer references teams (id),
  captain_user_id integer references users (id),
  message text not null,
  created_at timestamptz not null default now()
);
create index captain_messages_team_idx on captain_messages (team_id);

-- Links an account to an external (feed) player id; there is no players row to point at by id,
-- so integrity is checked against players.tenniscores_player_id by the protection layer.
create table user_player_associations (
  -- A surrogate id so every protected row can be named by one value in events and repairs.
  id serial not null unique,
  user_id integer not null references users (id) on delete cascade,
  tenniscores_player_id text not null,
  is_primary boolean not null default false,
  created_at timestamptz not null default now(),
  primary key (user_id, tenniscores_player_id)
);
create index user_player_associations_player_idx on user_player_associations (tenniscores_player_id);

create table player_availability (
  id serial primary key,
  player_name text not null default '',
  player_id integer references players (id),
  user_id integer references users (id),
  match_date date not null,
  availability_status integer not null default 0,
  series_id integer references series (id),
  notes text,
  updated_at timestamptz not null default now()
);
create index player_availability_player_idx on player_availability (player_id);
create index player_availability_series_idx on player_availability (series_id);

create table user_contexts (
  user_id integer primary key references users (id) on delete cascade,
  active_team_id integer references teams (id),
  updated_at timestamptz not null default now()
);
create index user_contexts_team_idx on user_contexts (active_team_id);

create table saved_lineups (
  id serial primary key,
  user_id integer references users (id),
  team_id integer references teams (id),
  lineup_name text not null,
  lineup_data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index saved_lineups_team_idx on saved_lineups (team_id);
