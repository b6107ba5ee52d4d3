import { beforeAll, describe, expect, it } from 'vitest';

import { type GraphQLResponse, useTestApp } from '../helpers/app.ts';

const t = useTestApp();

interface TeamsPage {
  teams: {
    edges: Array<{
      cursor: string;
      node: {
        id: string;
        teamName: string;
        isActive: boolean;
        club: { name: string };
        series: { name: string };
        league: { leagueId: string };
      };
    }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const TEAMS = /* GraphQL */ `
  query Teams(
    $first: Int
    $after: String
    $league: String
    $club: String
    $series: String
    $active: Boolean
  ) {
    teams(first: $first, after: $after, league: $league, club: $club, series: $series, active: $active) {
      edges {
        cursor
        node {
          id
          teamName
          isActive
          club {
            name
          }
          series {
            name
          }
          league {
            leagueId
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

beforeAll(async () => {
  await t.db.query(`
    insert into leagues (league_id, league_name) values ('APTA_CHICAGO', 'APTA Chicago'), ('NSTF', 'North Shore');
    insert into clubs (name) values ('Lakeview'), ('Elm  Grove');
    insert into series (name, league_id) values ('Chicago 1', 1), ('Chicago 2', 1), ('Series 1', 2);
    insert into teams (club_id, series_id, league_id, team_name, is_active)
    select c.id, s.id, s.league_id, c.name || ' - ' || s.name, s.id <> 2
      from clubs c cross join series s;`);
});

describe('teams', () => {
  it('pages forward through every team exactly once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: GraphQLResponse<TeamsPage> = await t.graphql<TeamsPage>(TEAMS, { first: 4, after });
      expect(res.errors).toBeUndefined();
      seen.push(...res.data!.teams.edges.map((e) => e.node.id));
      if (!res.data!.teams.pageInfo.hasNextPage) break;
      after = res.data!.teams.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(6);
    expect(new Set(seen).size).toBe(6);
  });

  it('filters by league code, club (case- and space-insensitive), series and activity', async () => {
    const byLeague = await t.graphql<TeamsPage>(TEAMS, { first: 50, league: 'nstf' });
    expect(byLeague.data!.teams.edges.map((e) => e.node.league.leagueId)).toEqual(['NSTF', 'NSTF']);
    const byClub = await t.graphql<TeamsPage>(TEAMS, { first: 50, club: ' elm grove ' });
    expect(byClub.data!.teams.edges.map((e) => e.node.club.name)).toEqual([
      'Elm  Grove',
      'Elm  Grove',
      'Elm  Grove',
    ]);
    const bySeries = await t.graphql<TeamsPage>(TEAMS, { first: 50, series: 'Chicago 2' });
    expect(bySeries.data!.teams.edges).toHaveLength(2);
    const inactive = await t.graphql<TeamsPage>(TEAMS, { first: 50, active: false });
    expect(inactive.data!.teams.edges.map((e) => e.node.series.name)).toEqual(['Chicago 2', 'Chicago 2']);
  });

  it('rejects a page size out of range and a foreign cursor with INVALID_INPUT', async () => {
    const tooMany = await t.graphql(TEAMS, { first: 100000 });
    expect(tooMany.errors?.[0]?.message).toMatch(/first must be between 1 and 500/);
    const badCursor = await t.graphql(TEAMS, {
      first: 5,
      after: Buffer.from('poll:3').toString('base64url'),
    });
    expect(badCursor.errors?.[0]?.message).toMatch(/is not a team cursor/);
  });

  it('lists leagues, clubs and series', async () => {
    const res = await t.graphql<{
      leagues: Array<{ leagueId: string }>;
      clubs: Array<{ name: string }>;
      series: Array<{ name: string }>;
    }>(`{ leagues { leagueId } clubs(league: "NSTF") { name } series(league: "APTA_CHICAGO") { name } }`);
    expect(res.data).toEqual({
      leagues: [{ leagueId: 'APTA_CHICAGO' }, { leagueId: 'NSTF' }],
      clubs: [],
      series: [{ name: 'Chicago 1' }, { name: 'Chicago 2' }],
    });
  });
});
