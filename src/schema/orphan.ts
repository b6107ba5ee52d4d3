import { AppError } from '../errors.ts';
import { listOrphanEvents, type OrphanEvent } from '../services/orphans/events.ts';
import { streamOrphanEvents } from '../services/orphans/stream.ts';
import { builder } from './builder.ts';

export const OrphanResolutionEnum = builder.enumType('OrphanResolution', {
  values: ['ROW_DELETED', 'REPOINTED', 'TARGET_RESTORED', 'REPAIRED'] as const,
});

export const OrphanEventType = builder.objectRef<OrphanEvent>('OrphanEvent').implement({
  description: 'A reference that became dangling, recorded by the detection triggers at commit.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The event’s sequence number; pass it as `after` to resume.' }),
    table: t.exposeString('table', { description: 'The user-data table holding the row.' }),
    rowId: t.exposeID('rowId'),
    column: t.exposeString('column'),
    missingRef: t.exposeString('missingRef', {
      description: 'The raw value that no longer resolves (for a cleared reference, the value it had).',
    }),
    reference: t.exposeString('reference', { description: 'Protection-spec entry, e.g. polls.team_id.' }),
    targetTable: t.exposeString('targetTable'),
    cause: t.exposeString('cause', {
      description: 'DELETE, UPDATE, TRUNCATE (the target changed); INSERT, REPOINT, SET_NULL, SCAN.',
    }),
    context: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Natural key of the vanished target (league, club, series, teamName, teamAlias, …).',
      resolve: (e) => e.context,
    }),
    detectedAt: t.expose('detectedAt', { type: 'DateTime' }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
    resolution: t.expose('resolution', { type: OrphanResolutionEnum, nullable: true }),
  }),
});

/** Event ids travel as GraphQL IDs (strings); anything but a non-negative integer is refused. */
export function parseEventId(value: string | number | null | undefined, field = 'after'): number | null {
  if (value === null || value === undefined) return null;
  const id = Number(value);
  if (!/^\d{1,15}$/.test(String(value)) || !Number.isSafeInteger(id)) {
    throw new AppError(
      'INVALID_INPUT',
      `${field} must be an event id (a non-negative integer), got "${String(value).slice(0, 40)}"`,
      {
        field,
      },
    );
  }
  return id;
}

builder.queryField('orphans', (t) =>
  t.field({
    type: [OrphanEventType],
    description: 'Recorded orphan events, oldest first; `after` is an event id, `first` at most 1000.',
    args: {
      resolved: t.arg.boolean({ required: false, description: 'true: resolved only; false: open only.' }),
      first: t.arg.int({ required: false, defaultValue: 100 }),
      after: t.arg.id({ required: false }),
    },
    resolve: (_root, args, { app }) =>
      listOrphanEvents(app.db.manager, {
        resolved: args.resolved,
        first: args.first,
        after: parseEventId(args.after),
      }),
  }),
);

builder.subscriptionField('orphanDetected', (t) =>
  t.field({
    type: OrphanEventType,
    description:
      'Stored events after `after`, then live ones as they are committed: each exactly once, in order. ' +
      'Without `after`, only events newer than the subscription.',
    args: { after: t.arg.id({ required: false }) },
    subscribe: (_root, args, { app }) =>
      streamOrphanEvents(app.db.manager, app.pubsub, parseEventId(args.after)),
    resolve: (event) => event,
  }),
);
