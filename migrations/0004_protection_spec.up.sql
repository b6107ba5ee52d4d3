-- The protection spec: the one list of every reference from user data to reference data.
-- Triggers, snapshots, restore, orphan scans and the health report are all driven from it;
-- protecting another dependent column is one row here (added by a later migration).

create table bpetl.protected_references (
  name text primary key,
  -- The user-data type this reference belongs to, as the health report groups them.
  data_type text not null,
  source_table text not null,
  source_column text not null,
  target_table text not null,
  target_column text not null,
  nullable boolean not null,
  -- How restore and repair re-match a dangling value: team, player, series, practice, external_player.
  rematch text not null,
  -- Optional fixed predicate (written here, never from input) narrowing which rows are user data.
  row_filter text,
  constraint protected_reference_rematch check (rematch in ('team', 'player', 'series', 'practice', 'external_player')),
  constraint unique_protected_column unique (source_table, source_column)
);

-- Only references whose column exists: an adopted database may lack some of these tables; the
-- discovery run by every migrate completes the spec from the catalog.
insert into bpetl.protected_references
  (name, data_type, source_table, source_column, target_table, target_column, nullable, rematch, row_filter)
select v.* from (values
  ('polls.team_id', 'polls', 'polls', 'team_id', 'teams', 'id', true, 'team', null),
  ('poll_responses.player_id', 'poll_responses', 'poll_responses', 'player_id', 'players', 'id', true, 'player', null),
  ('captain_messages.team_id', 'captain_messages', 'captain_messages', 'team_id', 'teams', 'id', true, 'team', null),
  ('schedule.home_team_id', 'practice_times', 'schedule', 'home_team_id', 'teams', 'id', true, 'practice', $$away_team = ''$$),
  ('user_player_associations.tenniscores_player_id', 'player_associations', 'user_player_associations',
     'tenniscores_player_id', 'players', 'tenniscores_player_id', false, 'external_player', null),
  ('player_availability.player_id', 'availability', 'player_availability', 'player_id', 'players', 'id', true, 'player', null),
  ('player_availability.series_id', 'availability', 'player_availability', 'series_id', 'series', 'id', true, 'series', null),
  ('user_contexts.active_team_id', 'user_contexts', 'user_contexts', 'active_team_id', 'teams', 'id', true, 'team', null),
  ('saved_lineups.team_id', 'saved_lineups', 'saved_lineups', 'team_id', 'teams', 'id', true, 'team', null)
) v (name, data_type, source_table, source_column, target_table, target_column, nullable, rematch, row_filter)
where exists (select 1 from pg_attribute a
               where a.attrelid = to_regclass(format('public.%I', v.source_table))
                 and a.attname = v.source_column and not a.attisdropped);
