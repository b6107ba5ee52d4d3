import type { SnapshotSummary } from '../services/snapshots/snapshots.ts';
import { createSnapshot, listSnapshots } from '../services/snapshots/snapshots.ts';
import { builder } from './builder.ts';

const SnapshotTypeCount = builder
  .objectRef<SnapshotSummary['byType'][number]>('SnapshotTypeCount')
  .implement({
    fields: (t) => ({
      dataType: t.exposeString('dataType'),
      rows: t.exposeInt('rows'),
    }),
  });

export const SnapshotType = builder.objectRef<SnapshotSummary>('Snapshot').implement({
  description: 'A durable copy of every protected reference of every user row, with natural-key context.',
  fields: (t) => ({
    id: t.exposeID('id'),
    createdAt: t.field({ type: 'DateTime', resolve: (s) => s.createdAt }),
    note: t.exposeString('note', { nullable: true }),
    runId: t.exposeID('runId', { nullable: true, description: 'The pipeline run that took it.' }),
    runStatus: t.exposeString('runStatus', {
      nullable: true,
      description:
        'Status of the run that took it (RUNNING until it ends); a failed run keeps its snapshot. Null when taken on its own.',
    }),
    rows: t.exposeInt('rows', { description: 'User rows copied.' }),
    byType: t.field({ type: [SnapshotTypeCount], resolve: (s) => s.byType }),
  }),
});

builder.queryField('snapshots', (t) =>
  t.field({
    type: [SnapshotType],
    description: 'Snapshots kept by the retention policy, newest first.',
    resolve: (_root, _args, { app }) => listSnapshots(app.db.manager),
  }),
);

builder.mutationField('createSnapshot', (t) =>
  t.field({
    type: SnapshotType,
    description: 'Pipeline step 3: snapshots all user data with the natural keys of what it references.',
    errors: {},
    args: { note: t.arg.string({ required: false }) },
    resolve: (_root, args, { app }) => createSnapshot(app.db, { note: args.note ?? null }),
  }),
);
