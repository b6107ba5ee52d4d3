import { AppError } from '../errors.ts';
import type { RestoredRow, RestoreResult } from '../services/snapshots/restore.ts';
import { restoreUserData } from '../services/snapshots/restore.ts';
import { builder } from './builder.ts';

const RestoreReferenceCount = builder
  .objectRef<RestoreResult['byReference'][number]>('RestoreReferenceCount')
  .implement({
    fields: (t) => ({
      reference: t.exposeString('reference'),
      remapped: t.exposeInt('remapped'),
      unmatched: t.exposeInt('unmatched'),
    }),
  });

const RestoredRowType = builder.objectRef<RestoredRow>('RestoredRow').implement({
  description: 'A user row restore re-pointed (REMAPPED) or could not (UNMATCHED), in words.',
  fields: (t) => ({
    reference: t.exposeString('reference'),
    rowId: t.exposeID('rowId'),
    outcome: t.exposeString('outcome', { description: 'REMAPPED or UNMATCHED.' }),
    description: t.exposeString('description'),
  }),
});

export const RestoreResultType = builder.objectRef<RestoreResult>('RestoreResult').implement({
  fields: (t) => ({
    snapshotId: t.exposeID('snapshotId'),
    dryRun: t.exposeBoolean('dryRun'),
    checked: t.exposeInt('checked', { description: 'Snapshot rows whose user row still exists.' }),
    remapped: t.exposeInt('remapped'),
    unchanged: t.exposeInt('unchanged'),
    unmatched: t.exposeInt('unmatched', {
      description: 'Rows whose reference changed but had no unique match; left as they are, never deleted.',
    }),
    byReference: t.field({ type: [RestoreReferenceCount], resolve: (r) => r.byReference }),
    rows: t.field({
      type: [RestoredRowType],
      description: 'The first 20 rows it re-pointed or could not, unmatched first (the counts cover all).',
      resolve: (r) => r.rows ?? [],
    }),
  }),
});

/** A snapshot id from GraphQL's ID (a string): a positive integer, else INVALID_INPUT. */
export function parseSnapshotId(raw: string | number): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new AppError('INVALID_INPUT', `snapshotId must be a positive integer, got "${raw}"`, {
      field: 'snapshotId',
    });
  }
  return id;
}

builder.mutationField('restoreUserData', (t) =>
  t.field({
    type: RestoreResultType,
    description:
      'Pipeline step 5: re-points user rows whose reference changed since the snapshot, by natural key. ' +
      'Unique matches only; never deletes.',
    errors: {},
    args: {
      snapshotId: t.arg.id({ required: true }),
      dryRun: t.arg.boolean({ required: false, defaultValue: false }),
    },
    resolve: (_root, args, { app }) =>
      restoreUserData(app.db, { snapshotId: parseSnapshotId(args.snapshotId), dryRun: args.dryRun ?? false }),
  }),
);
