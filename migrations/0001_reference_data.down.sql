-- Never drops an application table that holds rows: down migrations must not lose user data.
do $$
declare
  t text;
  found_any boolean;
begin
  foreach t in array array['series_stats', 'schedule', 'players', 'teams', 'series_leagues', 'club_leagues', 'series', 'clubs', 'leagues'] loop
    continue when to_regclass(format('public.%I', t)) is null;
    execute format('select exists (select 1 from public.%I)', t) into found_any;
    if found_any then
      raise exception 'table % holds rows; reverting would drop them', t using errcode = 'P0001';
    end if;
  end loop;
end;
$$;

drop table if exists series_stats;
drop table if exists schedule;
drop table if exists players;
drop table if exists teams;
drop table if exists series_leagues;
drop table if exists club_leagues;
drop table if exists series;
drop table if exists clubs;
drop table if exists leagues;
