import type { EntityManager } from 'typeorm';

import { Club } from '../../entities/club.ts';
import { League } from '../../entities/league.ts';
import { Series } from '../../entities/series.ts';
import { Team } from '../../entities/team.ts';
import { AppError } from '../../errors.ts';

/**
 * The rows of the exploration queries: the entities (src/entities), with what the API shows of
 * them. A test compares every entity with the migrated schema.
 */
export type LeagueRow = Pick<League, 'id' | 'leagueId' | 'leagueName'>;

export type ClubRow = Pick<Club, 'id' | 'name'>;

export type SeriesRow = Pick<Series, 'id' | 'name' | 'displayName' | 'leagueId'>;

export type TeamRow = Pick<Team, 'id' | 'teamName' | 'teamAlias' | 'displayName' | 'isActive'> & {
  club: ClubRow;
  series: SeriesRow;
  league: LeagueRow;
};

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

export async function listLeagues(manager: EntityManager): Promise<LeagueRow[]> {
  return manager.getRepository(League).find({
    select: { id: true, leagueId: true, leagueName: true },
    order: { leagueId: 'ASC' },
  });
}

export async function listClubs(manager: EntityManager, league?: string | null): Promise<ClubRow[]> {
  const query = manager.getRepository(Club).createQueryBuilder('c').select(['c.id', 'c.name']);
  if (league != null) {
    query.where(
      `exists (select 1 from club_leagues cl join leagues l on l.id = cl.league_id
                where cl.club_id = c.id and l.league_id = upper(:league))`,
      { league },
    );
  }
  return query.orderBy('c.nameKey').getMany();
}

export async function listSeries(manager: EntityManager, league?: string | null): Promise<SeriesRow[]> {
  const query = manager
    .getRepository(Series)
    .createQueryBuilder('s')
    .select(['s.id', 's.name', 's.displayName', 's.leagueId'])
    .leftJoin(League, 'l', 'l.id = s.leagueId');
  if (league != null) query.where('l.leagueId = upper(:league)', { league });
  return query.orderBy('l.leagueId', 'ASC', 'NULLS LAST').addOrderBy('s.name', 'ASC').getMany();
}

/** Keyset pagination on team id: stable while rows are added, no OFFSET scans. */
export async function listTeams(
  manager: EntityManager,
  filter: TeamFilter,
  page: { first: number; afterId?: number | null },
): Promise<Page<TeamRow>> {
  if (!Number.isInteger(page.first) || page.first < 1 || page.first > MAX_PAGE_SIZE) {
    throw new AppError('INVALID_INPUT', `first must be between 1 and ${MAX_PAGE_SIZE}, got ${page.first}`, {
      field: 'first',
    });
  }
  const query = manager
    .getRepository(Team)
    .createQueryBuilder('t')
    .select(['t.id', 't.teamName', 't.teamAlias', 't.displayName', 't.isActive'])
    .innerJoin('t.club', 'c')
    .addSelect(['c.id', 'c.name'])
    .innerJoin('t.series', 's')
    .addSelect(['s.id', 's.name', 's.displayName', 's.leagueId'])
    .innerJoin('t.league', 'l')
    .addSelect(['l.id', 'l.leagueId', 'l.leagueName'])
    .where('t.id > :after', { after: page.afterId ?? 0 });
  if (filter.league != null) query.andWhere('l.leagueId = upper(:league)', { league: filter.league });
  if (filter.club != null) {
    query.andWhere(`c.nameKey = lower(regexp_replace(btrim(:club), '\\s+', ' ', 'g'))`, {
      club: filter.club,
    });
  }
  if (filter.series != null) {
    query.andWhere('(s.name = :series or s.displayName = :series)', { series: filter.series });
  }
  if (filter.active != null) query.andWhere('t.isActive = :active', { active: filter.active });
  // ManyToOne joins add no rows, so a plain LIMIT pages the teams.
  const rows = await query
    .orderBy('t.id', 'ASC')
    .limit(page.first + 1)
    .getMany();
  return { hasNextPage: rows.length > page.first, rows: rows.slice(0, page.first) };
}
