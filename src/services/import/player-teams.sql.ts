/**
 * Attaching players to the teams of the team lists. A player record's own names give a team key;
 * where that key is one of the import's teams (stg_team_keys) the record is attached at once. The
 * others are grouped by the names they carry (a few hundred groups, however many records) and
 * each group is resolved, in order and only on a unique match:
 *   2. the team name or alias among the source's teams of the league;
 *   3. the same among the database's active teams, for a league with no team list (a listed
 *      league's other teams are retired by the same run, so none is a home for a player);
 *   4. a name that differs only by a division marker (`SW`, a letter) from a source team's.
 * The record's series and club break ties and never create anything. CITA names teams after their
 * club, so there a name matches only together with its series.
 */

/** Case- and space-insensitive, `-` as a space, one trailing division marker dropped. */
const LOOSE = (column: string) =>
  `regexp_replace(regexp_replace(bpetl.name_key(${column}), '\\s*-\\s*', ' ', 'g'), '\\s+(sw|[a-z])$', '')`;

/** Groups of player records whose key names no team of the import. */
export const CREATE_PLAYER_REFS = `
  create temp table stg_player_refs on commit drop as
  select row_number() over (order by min(ord))::int as ref,
         league, team_key, team, team_name, club, series, series_name,
         count(*)::int as records, min(idx) as first_idx,
         null::text as match_key, null::text as method
    from stg_players
   where team_key not in (select team_key from stg_team_keys)
   group by league, team_key, team, team_name, club, series, series_name`;

/** Every way a team can be named: its name and alias, exactly or without a division marker. */
const TEAM_NAMES = `
  select team_key, league, team_name, series, series_key, series_display_key, club_key, from_db, kind, key
    from candidates_teams
   cross join lateral (values ('name', bpetl.name_key(team_name)), ('name', bpetl.name_key(team_alias)),
                              ('loose', ${LOOSE('team_name')}), ('loose', ${LOOSE('team_alias')})) v(kind, key)
   where key is not null and key <> ''`;

/** The candidates of every group, with whether its series and club hints agree. */
export const CREATE_PLAYER_CANDIDATES = `
  create temp table stg_player_candidates on commit drop as
  with refs as (
    select ref, league, bpetl.name_key(series_name) as series_key, bpetl.name_key(series) as series_raw,
           bpetl.name_key(club) as club_key, kind, key
      from stg_player_refs
     cross join lateral (values ('name', bpetl.name_key(team)), ('name', bpetl.name_key(team_name)),
                                ('loose', ${LOOSE('team')})) v(kind, key)
     where key <> ''),
  candidates_teams as (
    select team_key, league, team_name, series, series_key, bpetl.name_key(series_display) as series_display_key,
           club_key, team_alias, false as from_db
      from stg_team_keys where league in (select league from refs)
    union all
    select 'db:' || t.id, l.league_id, t.team_name, se.name, lower(se.name), bpetl.name_key(se.name),
           bpetl.name_key(c.name), t.team_alias, true
      from teams t
      join leagues l on l.id = t.league_id
      join clubs c on c.id = t.club_id
      join series se on se.id = t.series_id
     where t.is_active and l.league_id in (select league from refs)
       and l.league_id not in (select league from stg_team_keys where listed)),
  names as (${TEAM_NAMES})
  select distinct on (r.ref, n.team_key) r.ref, n.team_key, n.team_name, n.series,
         case when n.kind = 'loose' then 4 when n.from_db then 3 else 2 end as step,
         (n.series_key in (r.series_key, r.series_raw) or n.series_display_key = r.series_raw) as series_hit,
         (r.club_key <> '' and left(n.club_key, length(r.club_key)) = r.club_key) as club_hit
    from refs r
    join names n on n.league = r.league and n.kind = r.kind and n.key = r.key
   where r.league <> 'CITA'
      or n.series_key in (r.series_key, r.series_raw) or n.series_display_key = r.series_raw
   order by r.ref, n.team_key, case when n.kind = 'loose' then 4 when n.from_db then 3 else 2 end`;

/** Each group takes the first step with exactly one best candidate; hints rank, a tie is no match. */
export const PICK_PLAYER_TEAMS = `
  with scored as (
    select ref, step, team_key, series_hit::int * 2 + club_hit::int as score from stg_player_candidates),
  ranked as (
    select ref, step, team_key, score,
           count(*) over (partition by ref, step) as n,
           count(*) over (partition by ref, step, score) as same,
           max(score) over (partition by ref, step) as best
      from scored),
  picked as (
    select distinct on (ref) ref, step, team_key from ranked
     where score = best and same = 1 and (n = 1 or best > 0)
     order by ref, step)
  update stg_player_refs r
     set match_key = p.team_key,
         method = case p.step when 2 then 'name' when 3 then 'database' else 'marker' end
    from picked p where p.ref = r.ref`;

/** Database teams players were matched to join the import's teams: named by players, they stay. */
export const ADD_MATCHED_DATABASE_TEAMS = `
  insert into stg_team_keys (ord, league, club, club_key, series, series_key, series_display, team_name,
                             team_alias, team_key, listed)
  select distinct on (t.id) 2147483647, l.league_id, c.name, bpetl.name_key(c.name), se.name, lower(se.name),
         se.name, t.team_name, t.team_alias, 'db:' || t.id, false
    from stg_player_refs r
    join teams t on 'db:' || t.id = r.match_key
    join leagues l on l.id = t.league_id
    join clubs c on c.id = t.club_id
    join series se on se.id = t.series_id
   where r.method = 'database'`;

/** Per league and method: records matched other than by key, with a sample and the series they span. */
export const MATCHED_SUMMARY = `
  select r.league, r.method, sum(r.records)::int as records,
         count(distinct r.series)::int as record_series, count(distinct k.series)::int as team_series,
         (array_agg(r.series order by r.first_idx))[1] as series,
         (array_agg(r.team order by r.first_idx))[1] as team,
         (array_agg(r.first_idx order by r.first_idx))[1] as idx,
         (array_agg(k.team_name order by r.first_idx))[1] as to_team,
         (array_agg(k.series order by r.first_idx))[1] as to_series
    from stg_player_refs r
    join stg_team_keys k on k.team_key = r.match_key
   group by r.league, r.method
   order by r.league, r.method`;

/** Unmatched groups: records, sample, and up to three candidates that tied. */
export const UNMATCHED_SUMMARY = `
  select r.league, sum(r.records)::int as records,
         (array_agg(r.team order by r.first_idx))[1] as team,
         (array_agg(r.series order by r.first_idx))[1] as series,
         (array_agg(r.first_idx order by r.first_idx))[1] as idx
    from stg_player_refs r where r.match_key is null
   group by r.league order by r.league`;

/** The unmatched records themselves, first ones first ($1: how many), with the candidates that tied. */
export const UNMATCHED_RECORDS = `
  select p.idx, p.league, p.team, p.series,
         (select string_agg(c.team_name || ' (' || c.series || ')', ', ' order by c.team_name)
            from (select * from stg_player_candidates c where c.ref = r.ref order by c.step, c.team_name limit 3) c)
           as candidates,
         (select count(*) from stg_player_candidates c where c.ref = r.ref)::int as candidate_count
    from stg_player_refs r
    join stg_players p
      on p.league = r.league and p.team_key = r.team_key and p.team = r.team and p.team_name = r.team_name
     and p.club = r.club and p.series = r.series and p.series_name = r.series_name
   where r.match_key is null
   order by p.idx
   limit $1`;
