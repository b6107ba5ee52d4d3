import type { LeagueRow } from '../services/reference/queries.ts';
import { listLeagues } from '../services/reference/queries.ts';
import { builder } from './builder.ts';

export const LeagueType = builder.objectRef<LeagueRow>('League').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    leagueId: t.exposeString('leagueId', {
      description: 'The league code (natural key), e.g. APTA_CHICAGO.',
    }),
    leagueName: t.exposeString('leagueName'),
  }),
});

builder.queryField('leagues', (t) =>
  t.field({ type: [LeagueType], resolve: (_root, _args, { app }) => listLeagues(app.db.manager) }),
);
