import { AppError } from '../errors.ts';
import type { TeamRow } from '../services/reference/queries.ts';
import { listTeams, MAX_PAGE_SIZE } from '../services/reference/queries.ts';
import { builder } from './builder.ts';
import { ClubType } from './club.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { LeagueType } from './league.ts';
import { SeriesType } from './series.ts';

export const TeamType = builder.objectRef<TeamRow>('Team').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    teamName: t.exposeString('teamName'),
    teamAlias: t.exposeString('teamAlias', { nullable: true }),
    displayName: t.exposeString('displayName', { nullable: true }),
    isActive: t.exposeBoolean('isActive', {
      description: 'False once the team vanished from its feed (retired).',
    }),
    club: t.field({ type: ClubType, resolve: (team) => team.club }),
    league: t.field({ type: LeagueType, resolve: (team) => team.league }),
    series: t.field({ type: SeriesType, resolve: (team) => team.series }),
  }),
});

builder.queryField('teams', (t) =>
  t.connection({
    type: TeamType,
    description: `Teams, oldest first; forward pagination with first (at most ${MAX_PAGE_SIZE}) and after.`,
    args: {
      league: t.arg.string({ required: false, description: 'League code, e.g. APTA_CHICAGO.' }),
      club: t.arg.string({ required: false, description: 'Club name (case- and space-insensitive).' }),
      series: t.arg.string({ required: false }),
      active: t.arg.boolean({ required: false }),
    },
    resolve: async (_root, args, { app }) => {
      if (args.last != null || args.before != null) {
        throw new AppError('INVALID_INPUT', 'teams pages forward only: use first and after', {
          field: 'last',
        });
      }
      const page = await listTeams(app.db.manager, args, {
        first: args.first ?? 50,
        afterId: args.after ? decodeCursor('team', args.after) : null,
      });
      const edges = page.rows.map((node) => ({ cursor: encodeCursor('team', node.id), node }));
      return {
        edges,
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: args.after != null,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);
