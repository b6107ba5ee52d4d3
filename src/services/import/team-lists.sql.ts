/**
 * The team lists decide which teams a league has: series_stats.json and schedules.json of a league
 * feed (or a canonical teams file). A team that only a players file names is kept only for a
 * league the source gives no team list at all. Where the two lists disagree about a team (the same
 * name in another series), series_stats.json wins.
 */

/** Leagues of the source whose teams come from its players file: it has no team list for them. */
export const UNLISTED_LEAGUES = `
  select league, count(*)::int as teams from stg_team_keys where not listed group by league order by league`;

/**
 * Teams that only schedules.json names, under a name series_stats.json gives one team of the same
 * league in another series. CITA names teams after their club and tells them apart by series
 * only, so there a shared name is no contradiction.
 */
export const CREATE_TEAM_REMAP = `
  create temp table stg_team_remap on commit drop as
  with stats as (
    select league, lower(team_name) as name, min(team_key) as team_key, min(series) as series,
           min(idx) as idx, count(distinct team_key) as teams
      from stg_teams where file = 'series_stats.json' and league <> 'CITA'
     group by league, lower(team_name))
  select distinct on (s.team_key)
         s.team_key as from_key, t.team_key as to_key, s.league, s.team_name,
         s.series as from_series, s.idx as from_idx, t.series as to_series, t.idx as to_idx
    from stg_teams s
    join stats t on t.league = s.league and t.name = lower(s.team_name) and t.teams = 1
   where s.file = 'schedules.json' and s.listed and t.team_key <> s.team_key
     and s.team_key not in (select team_key from stg_teams where file = 'series_stats.json')
   order by s.team_key, s.ord`;

/** The records of a remapped team now refer to the team of series_stats.json. */
export const APPLY_TEAM_REMAP = [
  `delete from stg_teams s using stg_team_remap r where s.team_key = r.from_key`,
  `update stg_fixtures f set home_key = r.to_key from stg_team_remap r where f.home_key = r.from_key`,
  `update stg_fixtures f set away_key = r.to_key from stg_team_remap r where f.away_key = r.from_key`,
  `update stg_players p set team_key = r.to_key from stg_team_remap r where p.team_key = r.from_key`,
];

/** One row per league with remapped teams: how many, and the first as a sample. */
export const TEAM_REMAP_SUMMARY = `
  select league, count(*)::int as teams,
         (array_agg(team_name order by from_idx))[1] as team_name,
         (array_agg(to_series order by from_idx))[1] as to_series,
         (array_agg(to_idx order by from_idx))[1] as to_idx,
         (array_agg(from_series order by from_idx))[1] as from_series,
         (array_agg(from_idx order by from_idx))[1] as from_idx
    from stg_team_remap group by league order by league`;
