import { loadRetention, type RetentionPolicy, setRetention } from '../services/retention/policy.ts';
import { pruneHistory, type PruneResult } from '../services/retention/prune.ts';
import { builder } from './builder.ts';

export const RetentionPolicyType = builder.objectRef<RetentionPolicy>('RetentionPolicy').implement({
  description:
    'How long the bpetl schema keeps what it only appends to, in days. Open orphan events, rows not yet put back and the newest keepRuns runs are never pruned; snapshots have their own policy.',
  fields: (t) => ({
    orphanEventsDays: t.exposeInt('orphanEventsDays', { description: 'Resolved orphan events.' }),
    pipelineEventsDays: t.exposeInt('pipelineEventsDays', {
      description: 'Progress events of finished runs.',
    }),
    keepRuns: t.exposeInt('keepRuns', { description: 'Runs whose events are kept whatever their age.' }),
    repairsDays: t.exposeInt('repairsDays', {
      description: 'Orphan repairs, the rows they put back, released quarantine, restore actions.',
    }),
    logFindingsDays: t.exposeInt('logFindingsDays', { description: 'Log findings not seen since.' }),
    logAlertsDays: t.exposeInt('logAlertsDays'),
  }),
});

const RetentionInput = builder.inputType('RetentionInput', {
  description: 'Values to change; the others keep theirs. Each a whole number of at least 1.',
  fields: (t) => ({
    orphanEventsDays: t.int(),
    pipelineEventsDays: t.int(),
    keepRuns: t.int(),
    repairsDays: t.int(),
    logFindingsDays: t.int(),
    logAlertsDays: t.int(),
  }),
});

builder.queryField('retention', (t) =>
  t.field({
    type: RetentionPolicyType,
    description: 'The retention policy in force; a serving instance applies it every hour.',
    resolve: (_root, _args, { app }) => loadRetention(app.db.manager),
  }),
);

builder.mutationField('setRetention', (t) =>
  t.field({
    type: RetentionPolicyType,
    errors: {},
    args: { input: t.arg({ type: RetentionInput, required: true }) },
    resolve: (_root, { input }, { app }) =>
      setRetention(
        app.db.manager,
        Object.fromEntries(Object.entries(input).filter(([, v]) => v !== null && v !== undefined)),
      ),
  }),
);

const PruneCountType = builder.objectRef<{ table: string; rows: number }>('PruneCount').implement({
  fields: (t) => ({ table: t.exposeString('table'), rows: t.exposeInt('rows') }),
});

const PruneResultType = builder.objectRef<PruneResult>('PruneResult').implement({
  fields: (t) => ({
    skipped: t.exposeBoolean('skipped', {
      description: 'Another instance was pruning: this round stopped where it was.',
    }),
    deleted: t.field({
      type: [PruneCountType],
      resolve: (r) => Object.entries(r.deleted).map(([table, rows]) => ({ table, rows })),
    }),
  }),
});

builder.mutationField('pruneHistory', (t) =>
  t.field({
    type: PruneResultType,
    description: 'One retention round now, as a serving instance runs every hour.',
    errors: {},
    resolve: (_root, _args, { app }) => pruneHistory(app.db),
  }),
);
