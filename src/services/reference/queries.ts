import type { Db } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';

export interface LeagueRow {
  id: number;
  leagueId: string;
  leagueName: string;
}

export interface ClubRow {
  id: number;
  name: string;
}

export interface SeriesRow {
  id: number;
  name: string;
  displayName: string | null;
  leagueId: number | null;
}

export interface TeamRow {
  id: number;
  teamName: string;
  teamAlias: string | null;
  displayName: string | null;
  isActive: boolean;
  club: ClubRow;
  series: SeriesRow;
  league: LeagueRow;
}

export interface TeamFilter {
  /** League code, e.g. APTA_CHICAGO (case-insensitive). */
  league?: string | null;
  /** Club name, compared case- and space-insensitively. */
  club?: string | null;
  series?: string | null;
  active?: boolean | null;
}

export interface Page<T> {
  rows: T[];
  hasNextPage: boolean;
}

export const MAX_PAGE_SIZE = 500;

export async function listLeagues(db: Db): Promise<LeagueRow[]> {
  return db.query(
    `select id, league_id as "leagueId", league_name as "leagueName" from leagues order by league_id`,
  );
}

export async function listClubs(db: Db, league?: string | null): Promise<ClubRow[]> {
  return db.query(
    `select c.id, c.name from clubs c
      where $1::text is null or exists (
        select 1 from club_leagues cl join leagues l on l.id = cl.league_id
         where cl.club_id = c.id and l.league_id = upper($1))
      order by c.name_key`,
    [league ?? null],
  );
}

export async function listSeries(db: Db, league?: string | null): Promise<SeriesRow[]> {
  return db.query(
    `select s.id, s.name, s.display_name as "displayName", s.league_id as "leagueId"
       from series s left join leagues l on l.id = s.league_id
      where $1::text is null or l.league_id = upper($1)
      order by l.league_id nulls last, s.name`,
    [league ?? null],
  );
}

/** Keyset pagination on team id: stable while rows are added, no OFFSET scans. */
export async function listTeams(
  db: Db,
  filter: TeamFilter,
  page: { first: number; afterId?: number | null },
): Promise<Page<TeamRow>> {
  if (!Number.isInteger(page.first) || page.first < 1 || page.first > MAX_PAGE_SIZE) {
    throw new AppError('INVALID_INPUT', `first must be between 1 and ${MAX_PAGE_SIZE}, got ${page.first}`, {
      field: 'first',
    });
  }
  const rows: Array<Record<string, unknown>> = await db.query(
    `select t.id, t.team_name, t.team_alias, t.display_name, t.is_active,
            c.id as club_id, c.name as club_name,
            s.id as series_id, s.name as series_name, s.display_name as series_display_name,
            s.league_id as series_league_id,
            l.id as league_pk, l.league_id as league_code, l.league_name
       from teams t
       join clubs c on c.id = t.club_id
       join series s on s.id = t.series_id
       join leagues l on l.id = t.league_id
      where ($1::text is null or l.league_id = upper($1))
        and ($2::text is null or c.name_key = lower(regexp_replace(btrim($2), '\\s+', ' ', 'g')))
        and ($3::text is null or s.name = $3 or s.display_name = $3)
        and ($4::boolean is null or t.is_active = $4)
        and t.id > $5
      order by t.id
      limit $6`,
    [
      filter.league ?? null,
      filter.club ?? null,
      filter.series ?? null,
      filter.active ?? null,
      page.afterId ?? 0,
      page.first + 1,
    ],
  );
  return {
    hasNextPage: rows.length > page.first,
    rows: rows.slice(0, page.first).map((r) => ({
      id: r.id as number,
      teamName: r.team_name as string,
      teamAlias: r.team_alias as string | null,
      displayName: r.display_name as string | null,
      isActive: r.is_active as boolean,
      club: { id: r.club_id as number, name: r.club_name as string },
      series: {
        id: r.series_id as number,
        name: r.series_name as string,
        displayName: r.series_display_name as string | null,
        leagueId: r.series_league_id as number | null,
      },
      league: {
        id: r.league_pk as number,
        leagueId: r.league_code as string,
        leagueName: r.league_name as string,
      },
    })),
  };
}
