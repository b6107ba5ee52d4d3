import type { SeriesRow } from '../services/reference/queries.ts';
import { listSeries } from '../services/reference/queries.ts';
import { builder } from './builder.ts';

export const SeriesType = builder.objectRef<SeriesRow>('Series').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    displayName: t.exposeString('displayName', { nullable: true }),
  }),
});

builder.queryField('series', (t) =>
  t.field({
    type: [SeriesType],
    args: { league: t.arg.string({ required: false, description: 'Only series of this league.' }) },
    resolve: (_root, { league }, { app }) => listSeries(app.db.manager, league),
  }),
);
