/**
 * The set-based upserts. Each table is refreshed by an UPDATE of rows whose values differ (IS
 * DISTINCT FROM, so unchanged rows are not rewritten) and an INSERT of rows whose natural key is new.
 * Under the import's advisory lock nothing else inserts concurrently, so the pair behaves like a
 * MERGE, burns no sequence values and reports exact counts on every supported PostgreSQL.
 *
 * Players and fixtures, the big tables, are matched once: their staged rows carry the id of the row
 * with the same natural key (`existing_id`) and whether it differs (`changed`), so the UPDATE,
 * INSERT and retirement join on ids instead of each matching text keys again; into an empty table
 * (a first import) they are inserted straight from staging.
 *
 * Statements that depend on the database's shape (optional columns, `updated_at`, column types) are
 * functions of the ImportShape read from the catalog when the run starts.
 */

import type { ImportShape } from './shape.ts';

export interface UpsertStatements {
  table: string;
  update: string;
  insert: string;
  /** Marks in-scope rows the feed no longer lists as inactive ($1: league ids in scope). */
  retire?: string;
  /**
   * For a table with no rows yet: the insert straight from staging. With nothing to match, the
   * staged rows need not be written to a table of their own first.
   */
  insertIntoEmpty?: string;
}

export const teams = (shape: ImportShape): UpsertStatements => ({
  table: 'teams',
  update: `
    update teams t
       set team_name = s.team_name, team_alias = s.team_alias, display_name = s.display_name,
           is_active = true${shape.touch('teams')}
      from stg_team_rows s
     where t.club_id = s.club_id and t.series_id = s.series_id and t.league_id = s.league_id
       and (t.team_name, t.team_alias, t.display_name, t.is_active)
           is distinct from (s.team_name, s.team_alias, s.display_name, true)`,
  insert: `
    insert into teams (club_id, series_id, league_id, team_name, team_alias, display_name)
    select club_id, series_id, league_id, team_name, team_alias, display_name from stg_team_rows s
     where not exists (select 1 from teams t
                        where t.club_id = s.club_id and t.series_id = s.series_id and t.league_id = s.league_id)`,
  // Retired, never deleted: user data may point at the team, and restore moves it only to a unique successor.
  retire: `
    update teams t set is_active = false${shape.touch('teams')}
     where t.is_active and t.league_id = any($1::int[])
       and not exists (select 1 from stg_team_rows s
                        where s.club_id = t.club_id and s.series_id = t.series_id and s.league_id = t.league_id)`,
});

/** The player columns written: the natural key, names and team, plus the optional ones present. */
const playerColumns = (shape: ImportShape) => ['first_name', 'last_name', 'team_id', ...shape.playerColumns];

/**
 * The feed's players, one per natural key (the first record wins), on the team their record's key
 * names or, with `matched`, the team the import matched their group to (see player-teams.sql.ts).
 */
const stagedPlayers = (matched: boolean) => `
  select distinct on (p.external_id collate "C", k.league_id, k.club_id, k.series_id)
         p.external_id, k.league_id, k.club_id, k.series_id, k.team_id,
         p.first_name, p.last_name, p.pti, p.wins, p.losses, p.captain
    from stg_players p
    ${
      matched
        ? `left join stg_player_refs r
      on r.league = p.league and r.team_key = p.team_key and r.team = p.team and r.team_name = p.team_name
     and r.club = p.club and r.series = p.series and r.series_name = p.series_name
    join stg_team_keys k on k.team_key = coalesce(r.match_key, p.team_key)`
        : 'join stg_team_keys k on k.team_key = p.team_key'
    }
   order by p.external_id collate "C", k.league_id, k.club_id, k.series_id, p.ord`;

export function createPlayerRows(shape: ImportShape, matched: boolean): string {
  const columns = playerColumns(shape);
  return `
  create temp table stg_player_rows on commit drop as
  select s.*, p.id as existing_id,
         p.id is not null
           and (${columns.map((c) => `p.${c}`).join(', ')}, p.is_active)
               is distinct from (${columns.map((c) => `s.${c}`).join(', ')}, true)
           as changed
    from (${stagedPlayers(matched)}) s
    left join players p
      on p.tenniscores_player_id = s.external_id and p.league_id = s.league_id
     and p.club_id = s.club_id and p.series_id = s.series_id`;
}

export function players(shape: ImportShape, matched: boolean): UpsertStatements {
  const columns = playerColumns(shape);
  const insertColumns = `tenniscores_player_id, league_id, club_id, series_id, ${columns.join(', ')}`;
  const staged = `external_id, league_id, club_id, series_id, ${columns.join(', ')}`;
  return {
    table: 'players',
    update: `
    update players p
       set ${columns.map((c) => `${c} = s.${c}`).join(', ')}, is_active = true${shape.touch('players')}
      from stg_player_rows s
     where s.changed and p.id = s.existing_id`,
    insert: `
    insert into players (${insertColumns})
    select ${staged} from stg_player_rows s
     where s.existing_id is null`,
    insertIntoEmpty: `insert into players (${insertColumns}) select ${staged} from (${stagedPlayers(matched)}) s`,
    retire: `
    update players p set is_active = false${shape.touch('players')}
     where p.is_active and p.league_id = any($1::int[])
       and not exists (select 1 from stg_player_rows s where s.existing_id = p.id)`,
  };
}

const FIXTURE_COLUMNS =
  'league_id, match_date, match_time, home_team, away_team, home_team_id, away_team_id, location';

// The feed's fixtures, one per natural key: a record is dropped when an earlier one has its key
// (the first record wins). A hash anti-join finds those without sorting 800,000 wide rows by text.
const stagedFixtures = (shape: ImportShape) => `
  select l.id as league_id, f.match_date, f.match_time::${shape.matchTimeType} as match_time, f.home_team, f.away_team,
         h.team_id as home_team_id, a.team_id as away_team_id, f.location
    from stg_fixtures f
    join leagues l on l.league_id = f.league
    left join stg_team_keys h on h.team_key = f.home_key
    left join stg_team_keys a on a.team_key = f.away_key
   where f.away_team <> ''
     and not exists (select 1 from stg_fixtures d
                      where d.league = f.league and d.match_date = f.match_date
                        and d.home_team = f.home_team and d.away_team = f.away_team and d.ord < f.ord)`;

export const createFixtureRows = (shape: ImportShape) => `
  create temp table stg_fixture_rows on commit drop as
  select f.*, s.id as existing_id,
         s.id is not null
           and (s.match_time, s.home_team_id, s.away_team_id, s.location)
               is distinct from (f.match_time, f.home_team_id, f.away_team_id, f.location)
           as changed
    from (${stagedFixtures(shape)}) f
    left join schedule s
      on s.away_team <> '' and s.league_id = f.league_id and s.match_date = f.match_date
     and s.home_team = f.home_team and s.away_team = f.away_team`;

// Every predicate on schedule repeats `away_team <> ''`: fixtures only, users' practice rows never.
export const fixtures = (shape: ImportShape): UpsertStatements => ({
  table: 'schedule',
  update: `
    update schedule s
       set match_time = f.match_time, home_team_id = f.home_team_id, away_team_id = f.away_team_id,
           location = f.location${shape.touch('schedule')}
      from stg_fixture_rows f
     where s.away_team <> '' and f.changed and s.id = f.existing_id`,
  insert: `
    insert into schedule (${FIXTURE_COLUMNS})
    select ${FIXTURE_COLUMNS} from stg_fixture_rows f where f.existing_id is null`,
  insertIntoEmpty: `insert into schedule (${FIXTURE_COLUMNS}) ${stagedFixtures(shape)}`,
});

export const CREATE_STATS_ROWS = `
  create temp table stg_stats_rows on commit drop as
  select distinct on (k.league_id, st.series collate "C", st.team_name collate "C")
         k.league_id, k.series_id, k.team_id, st.series, st.team_name as team,
         st.points, st.matches_won, st.matches_lost, st.matches_tied, st.lines_won, st.lines_lost,
         st.sets_won, st.sets_lost, st.games_won, st.games_lost
    from stg_stats st
    join stg_team_keys k on k.team_key = st.team_key
   order by k.league_id, st.series collate "C", st.team_name collate "C", st.ord`;

const STATS_COLUMNS = [
  'series_id',
  'team_id',
  'points',
  'matches_won',
  'matches_lost',
  'matches_tied',
  'lines_won',
  'lines_lost',
  'sets_won',
  'sets_lost',
  'games_won',
  'games_lost',
] as const;

export const seriesStats = (shape: ImportShape): UpsertStatements => ({
  table: 'series_stats',
  update: `
    update series_stats t
       set ${STATS_COLUMNS.map((c) => `${c} = s.${c}`).join(', ')}${shape.touch('series_stats')}
      from stg_stats_rows s
     where t.league_id = s.league_id and t.series = s.series and t.team = s.team
       and (${STATS_COLUMNS.map((c) => `t.${c}`).join(', ')})
           is distinct from (${STATS_COLUMNS.map((c) => `s.${c}`).join(', ')})`,
  insert: `
    insert into series_stats (league_id, series, team, ${STATS_COLUMNS.join(', ')})
    select league_id, series, team, ${STATS_COLUMNS.join(', ')} from stg_stats_rows s
     where not exists (select 1 from series_stats t
                        where t.league_id = s.league_id and t.series = s.series and t.team = s.team)`,
});
