import { listQuarantine, type QuarantineEntry } from '../services/orphans/quarantine.ts';
import { builder } from './builder.ts';
import { parseEventId } from './orphan.ts';

const QuarantineEntryType = builder.objectRef<QuarantineEntry>('QuarantineEntry').implement({
  description: 'A row held in quarantine: no strategy matched it uniquely, so it was flagged and kept.',
  fields: (t) => ({
    id: t.exposeID('id', {
      description: 'The entry’s sequence number; pass it as `after` for the next page.',
    }),
    eventId: t.exposeID('eventId', { nullable: true }),
    reference: t.exposeString('reference', { description: 'Protection-spec entry, e.g. polls.team_id.' }),
    table: t.exposeString('table'),
    column: t.exposeString('column'),
    rowId: t.exposeID('rowId'),
    missingRef: t.exposeString('missingRef'),
    reason: t.exposeString('reason', { description: 'NO_MATCH (no candidate) or AMBIGUOUS (several).' }),
    candidates: t.exposeInt('candidates'),
    flaggedAt: t.expose('flaggedAt', { type: 'DateTime' }),
  }),
});

builder.queryField('quarantine', (t) =>
  t.field({
    type: [QuarantineEntryType],
    description: 'Rows held in quarantine now, oldest first; `after` is an entry id, `first` at most 500.',
    args: {
      first: t.arg.int({ required: false, defaultValue: 100 }),
      after: t.arg.id({ required: false }),
    },
    resolve: (_root, args, { app }) =>
      listQuarantine(app.db.manager, { first: args.first ?? 100, after: parseEventId(args.after) }),
  }),
);
