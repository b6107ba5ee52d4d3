import {
  emergencyRepair,
  type QuarantineAction,
  type RepairAction,
  repairOrphans,
  type RepairReport,
} from '../services/orphans/repair.ts';
import { listRepairs, type RepairRecord, undoRepair } from '../services/orphans/repairs.ts';
import { builder } from './builder.ts';
import { parseEventId } from './orphan.ts';

const RepairType = builder.objectRef<RepairRecord>('Repair').implement({
  description: 'One audited repair: the row, its old and new value, and how the new value was found.',
  fields: (t) => ({
    id: t.exposeID('id'),
    eventId: t.exposeID('eventId', { nullable: true }),
    reference: t.exposeString('reference'),
    table: t.exposeString('table'),
    column: t.exposeString('column'),
    rowId: t.exposeID('rowId'),
    oldValue: t.exposeString('oldValue', { nullable: true }),
    newValue: t.exposeString('newValue'),
    strategy: t.exposeString('strategy'),
    reinserted: t.exposeInt('reinserted', {
      description:
        'Rows it re-inserted: 0 for a re-pointed row; for a row an ON DELETE CASCADE deleted, 1 plus the rows the cascade deleted below it.',
    }),
    repairedAt: t.expose('repairedAt', { type: 'DateTime' }),
    undoneAt: t.expose('undoneAt', { type: 'DateTime', nullable: true }),
  }),
});

const RepairActionType = builder.objectRef<RepairAction>('RepairAction').implement({
  fields: (t) => ({
    repairId: t.exposeID('repairId', { nullable: true, description: 'Null in a dry run.' }),
    eventId: t.exposeID('eventId'),
    reference: t.exposeString('reference'),
    table: t.exposeString('table'),
    column: t.exposeString('column'),
    rowId: t.exposeID('rowId'),
    oldValue: t.exposeString('oldValue', { nullable: true }),
    newValue: t.exposeString('newValue'),
    strategy: t.exposeString('strategy'),
    reinserted: t.exposeInt('reinserted', {
      description:
        'Rows put back: 0 for a re-pointed row; for a row an ON DELETE CASCADE deleted, 1 plus the rows the cascade deleted below it.',
    }),
    description: t.exposeString('description', {
      description:
        'The row, the target it pointed at, the one it points at now and how it was matched, in words.',
    }),
  }),
});

const QuarantineActionType = builder.objectRef<QuarantineAction>('QuarantineAction').implement({
  description: 'A row no strategy matched uniquely: flagged and kept, never deleted, never guessed.',
  fields: (t) => ({
    eventId: t.exposeID('eventId'),
    reference: t.exposeString('reference'),
    table: t.exposeString('table'),
    column: t.exposeString('column'),
    rowId: t.exposeID('rowId'),
    missingRef: t.exposeString('missingRef'),
    reason: t.exposeString('reason', { description: 'NO_MATCH or AMBIGUOUS.' }),
    description: t.exposeString('description', {
      description: 'The row, the target it pointed at and why nothing matched, in words.',
    }),
  }),
});

const RepairReportType = builder.objectRef<RepairReport>('RepairReport').implement({
  fields: (t) => ({
    dryRun: t.exposeBoolean('dryRun'),
    examined: t.exposeInt('examined'),
    detected: t.exposeInt('detected', { description: 'Orphans the full scan found (emergency repair).' }),
    repaired: t.field({ type: [RepairActionType], resolve: (r) => r.repaired }),
    quarantined: t.field({ type: [QuarantineActionType], resolve: (r) => r.quarantined }),
  }),
});

builder.queryField('repairs', (t) =>
  t.field({
    type: [RepairType],
    description: 'The repair audit trail, newest first.',
    args: { first: t.arg.int({ required: false, defaultValue: 100 }) },
    resolve: (_root, args, { app }) => listRepairs(app.db.manager, { first: args.first }),
  }),
);

builder.mutationField('repairOrphans', (t) =>
  t.field({
    type: RepairReportType,
    description: 'Repairs every open orphan event on a unique match, quarantines the rest.',
    errors: {},
    args: { dryRun: t.arg.boolean({ required: false, defaultValue: false }) },
    resolve: (_root, args, { app }) => repairOrphans(app.db, { dryRun: args.dryRun ?? false }),
  }),
);

builder.mutationField('emergencyRepair', (t) =>
  t.field({
    type: RepairReportType,
    description: 'Full scan for orphans (for when protection was off), then repair of everything.',
    errors: {},
    args: { dryRun: t.arg.boolean({ required: false, defaultValue: false }) },
    resolve: (_root, args, { app }) => emergencyRepair(app.db, { dryRun: args.dryRun ?? false }),
  }),
);

builder.mutationField('undoRepair', (t) =>
  t.field({
    type: RepairType,
    description:
      'Restores the value a repair replaced (refused if the row changed since, or if the repair re-inserted rows).',
    errors: {},
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { app }) => undoRepair(app.db, parseEventId(args.id, 'id')!),
  }),
);
