-- Never drops an application table that holds rows: down migrations must not lose user data.
do $$
declare
  t text;
  found_any boolean;
begin
  foreach t in array array['saved_lineups', 'user_contexts', 'player_availability', 'user_player_associations', 'captain_messages', 'poll_responses', 'poll_choices', 'polls', 'users'] loop
    continue when to_regclass(format('public.%I', t)) is null;
    execute format('select exists (select 1 from public.%I)', t) into found_any;
    if found_any then
      raise exception 'table % holds rows; reverting would drop them', t using errcode = 'P0001';
    end if;
  end loop;
end;
$$;

drop table if exists saved_lineups;
drop table if exists user_contexts;
drop table if exists player_availability;
drop table if exists user_player_associations;
drop table if exists captain_messages;
drop table if exists poll_responses;
drop table if exists poll_choices;
drop table if exists polls;
drop table if exists users;
