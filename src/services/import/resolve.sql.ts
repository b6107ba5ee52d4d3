/**
 * Statements that turn staged records into ids: leagues, clubs, series and their links are created
 * when missing (never renamed), then every staged team key gets its (league, club, series) ids.
 * All statements are set-based; none interpolates input (scope arrives as a parameter). Those that
 * depend on the database's shape take the ImportShape read from the catalog at the start of the run.
 */

import type { ImportShape } from './shape.ts';

/** Key expression of clubs.name_key (the generated column), for staged names. */
const CLUB_KEY = (column: string) => `lower(regexp_replace(btrim(${column}), '\\s+', ' ', 'g'))`;

// Sorts that only group equal keys compare them byte by byte (`collate "C"`): equality is the same
// under every deterministic collation, and the database's own (C.UTF-8 here, through strcoll) made
// sorting 100,000 text keys half of these statements' time.

/**
 * One row per staged team key, the first record of it winning, with the keys the database matches
 * on. The team lists decide a league's teams (see team-lists.sql.ts): a team only a players file
 * names is kept only for a league the source gives no team list.
 */
export const CREATE_TEAM_KEYS = `
  create temp table stg_team_keys on commit drop as
  select distinct on (team_key collate "C")
         ord, league, club, ${CLUB_KEY('club')} as club_key, series, lower(series) as series_key,
         series_display, team_name, team_alias, team_key, listed,
         null::integer as league_id, null::integer as club_id, null::integer as series_id,
         null::integer as team_id
    from stg_teams
   where listed or league not in (select league from stg_teams where listed)
   order by team_key collate "C", listed desc, ord`;

/** Inserts leagues in scope that do not exist yet ($1 codes, $2 display names). */
export const INSERT_LEAGUES = `
  insert into leagues (league_id, league_name)
  select code, name from unnest($1::text[], $2::text[]) as s(code, name)
   where not exists (select 1 from leagues l where l.league_id = s.code)`;

export const RESOLVE_LEAGUES = `
  update stg_team_keys s set league_id = l.id from leagues l where l.league_id = s.league`;

export const insertClubs = (shape: ImportShape) => `
  insert into clubs (name)
  select distinct on (club_key) club from stg_team_keys s
   where not exists (select 1 from clubs c where ${shape.clubKey('c')} = s.club_key)
   order by club_key, ord`;

export const resolveClubs = (shape: ImportShape) => `
  update stg_team_keys s set club_id = c.id from clubs c where ${shape.clubKey('c')} = s.club_key`;

export const INSERT_CLUB_LEAGUES = `
  insert into club_leagues (club_id, league_id)
  select distinct club_id, league_id from stg_team_keys s
   where not exists (select 1 from club_leagues cl where cl.club_id = s.club_id and cl.league_id = s.league_id)`;

/**
 * A series is found by name within its league; a series the application created without a league but
 * linked through series_leagues counts too, so its id is kept.
 */
export function resolveSeries(shape: ImportShape): string {
  return shape.seriesHaveLeague ? RESOLVE_SERIES : resolveLinkedSeries(shape);
}

const RESOLVE_SERIES = `
  update stg_team_keys s set series_id = m.id
    from (select distinct on (k.league_id, k.series_key) k.league_id, k.series_key, se.id
            from (select distinct league_id, series_key from stg_team_keys) k
            join series se on lower(se.name) = k.series_key
             and (se.league_id = k.league_id
                  or (se.league_id is null and exists (select 1 from series_leagues sl
                        where sl.series_id = se.id and sl.league_id = k.league_id)))
           order by k.league_id, k.series_key, se.league_id nulls last, se.id) m
   where m.league_id = s.league_id and m.series_key = s.series_key and s.series_id is null`;

/**
 * Series without a league column (the platform's): a series is found by name, the one linked to the
 * league preferred; where names are unique across leagues, the one series of that name is every
 * league's, and series_leagues links it.
 */
const resolveLinkedSeries = (shape: ImportShape) => `
  update stg_team_keys s set series_id = m.id
    from (select distinct on (k.league_id, k.series_key) k.league_id, k.series_key, se.id
            from (select distinct league_id, series_key from stg_team_keys) k
            cross join lateral (
              select se.id, exists (select 1 from series_leagues sl
                                     where sl.series_id = se.id and sl.league_id = k.league_id) as linked
                from series se where lower(se.name) = k.series_key) se
           where se.linked or ${shape.seriesNameUnique}
           order by k.league_id, k.series_key, se.linked desc, se.id) m
   where m.league_id = s.league_id and m.series_key = s.series_key and s.series_id is null`;

export function insertSeries(shape: ImportShape): string {
  if (shape.seriesHaveLeague) {
    return `
  insert into series (name, display_name, league_id)
  select distinct on (league_id, series_key) series, series_display, league_id from stg_team_keys
   where series_id is null
   order by league_id, series_key, ord`;
  }
  const per = shape.seriesNameUnique ? 'series_key' : 'league_id, series_key';
  return `
  insert into series (name, display_name)
  select distinct on (${per}) series, series_display from stg_team_keys
   where series_id is null
   order by ${per}, ord`;
}

export const INSERT_SERIES_LEAGUES = `
  insert into series_leagues (series_id, league_id)
  select distinct series_id, league_id from stg_team_keys s
   where not exists (select 1 from series_leagues sl where sl.series_id = s.series_id and sl.league_id = s.league_id)`;

/** Two spellings that the parser keys apart but the database keys together become one team row. */
export const CREATE_TEAM_ROWS = `
  create temp table stg_team_rows on commit drop as
  select distinct on (club_id, series_id, league_id)
         club_id, series_id, league_id, team_name, team_alias,
         case when league = 'CITA' then team_name || ' - ' || series else team_name end as display_name
    from stg_team_keys
   order by club_id, series_id, league_id, ord`;

/**
 * Active teams per league in scope, and how many of them the staged feed no longer lists: the
 * input of the shrink guard, computed before anything is written.
 */
export const shrinkCheck = (shape: ImportShape) => `
  select l.league_id as league, count(*)::int as active,
         count(*) filter (where not exists (
           select 1 from stg_team_keys s
            where s.league = l.league_id and s.club_key = ${shape.clubKey('c')} and s.series_key = lower(se.name)))::int
           as missing
    from teams t
    join leagues l on l.id = t.league_id
    join clubs c on c.id = t.club_id
    join series se on se.id = t.series_id
   where t.is_active and l.league_id = any($1::text[])
   group by l.league_id`;

/**
 * Active players per league whose players the source lists ($1: those leagues), and how many of
 * them it no longer lists by id, nor by first and last name (a player whose id changed is not
 * gone): the shrink guard's input for players, computed before anything is written. The two lists
 * are hashed subplans, built once each, the names' only when an id is missing; grouping on the
 * integer league id keeps the aggregate a hash.
 */
export const PLAYER_SHRINK_CHECK = `
  select l.league_id as league, c.active, c.missing
    from (select p.league_id, count(*)::int as active,
                 count(*) filter (
                   where p.tenniscores_player_id not in (select external_id from stg_players)
                     and (p.league_id, lower(p.first_name), lower(p.last_name)) not in (
                           select k.id, lower(s.first_name), lower(s.last_name)
                             from stg_players s join leagues k on k.league_id = s.league))::int as missing
            from players p
           where p.is_active and p.league_id in (select id from leagues where league_id = any($1::text[]))
           group by p.league_id) c
    join leagues l on l.id = c.league_id
   order by l.league_id`;

export const RESOLVE_TEAM_IDS = `
  update stg_team_keys s set team_id = t.id from teams t
   where t.club_id = s.club_id and t.series_id = s.series_id and t.league_id = s.league_id`;

/**
 * Where the database also keys teams by (team_name, league_id), a team whose name another team of
 * its league uses (in the feed or in the table) is stored under its display name (`<name> - <series>`),
 * the feed's name kept as its alias, as the platform names such teams.
 */
export const DISAMBIGUATE_TEAM_NAMES = `
  update stg_team_rows s set team_alias = coalesce(s.team_alias, s.team_name), team_name = s.display_name
   where s.display_name <> s.team_name
     and (exists (select 1 from stg_team_rows o
                   where o.league_id = s.league_id and o.team_name = s.team_name
                     and (o.club_id, o.series_id) <> (s.club_id, s.series_id))
          or exists (select 1 from teams t
                      where t.league_id = s.league_id and t.team_name = s.team_name
                        and (t.club_id, t.series_id) <> (s.club_id, s.series_id)))`;

/**
 * Staged teams whose name still collides with another team of the league are not written: the
 * first staged one wins over later ones, an existing team over both. Returns what was dropped.
 */
export const DROP_COLLIDING_TEAM_NAMES = `
  with colliding as (
    select s.ctid from stg_team_rows s
     where exists (select 1 from teams t
                    where t.league_id = s.league_id and t.team_name = s.team_name
                      and (t.club_id, t.series_id) <> (s.club_id, s.series_id))
        or exists (select 1 from stg_team_rows o
                    where o.league_id = s.league_id and o.team_name = s.team_name
                      and (o.club_id, o.series_id) < (s.club_id, s.series_id)
                      and not exists (select 1 from teams t
                                       where t.league_id = o.league_id and t.team_name = o.team_name
                                         and (t.club_id, t.series_id) <> (o.club_id, o.series_id))))
  delete from stg_team_rows s using colliding c where s.ctid = c.ctid
  returning s.team_name, (select l.league_id from leagues l where l.id = s.league_id) as league`;
