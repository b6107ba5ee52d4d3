import type { ClubRow } from '../services/reference/queries.ts';
import { listClubs } from '../services/reference/queries.ts';
import { builder } from './builder.ts';

export const ClubType = builder.objectRef<ClubRow>('Club').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
  }),
});

builder.queryField('clubs', (t) =>
  t.field({
    type: [ClubType],
    args: { league: t.arg.string({ required: false, description: 'Only clubs in this league.' }) },
    resolve: (_root, { league }, { app }) => listClubs(app.db.manager, league),
  }),
);
