import { type HealthHistoryEntry, listHealthHistory } from '../services/health/history.ts';
import {
  type HealthCheck,
  type HealthReport,
  type HealthType,
  sharedHealth,
} from '../services/health/report.ts';
import { streamHealth } from '../services/health/stream.ts';
import { builder } from './builder.ts';
import { ConstraintCheckEnum, ConstraintIssueType } from './constraints.ts';

const HealthStatusEnum = builder.enumType('HealthStatus', {
  values: ['HEALTHY', 'DEGRADED', 'CRITICAL'] as const,
});

const HealthTypeType = builder.objectRef<HealthType>('HealthType').implement({
  description: 'One protected data type: its rows and how many of them reference something missing.',
  fields: (t) => ({
    name: t.exposeString('name'),
    rows: t.exposeInt('rows'),
    orphans: t.exposeInt('orphans'),
  }),
});

const HealthCheckType = builder.objectRef<HealthCheck>('HealthCheck').implement({
  fields: (t) => ({
    check: t.expose('check', { type: ConstraintCheckEnum }),
    issues: t.exposeInt('issues'),
    rows: t.exposeInt('rows'),
    penalty: t.exposeInt('penalty', { description: 'Points this check takes off the score.' }),
  }),
});

export const HealthReportType = builder.objectRef<HealthReport>('HealthReport').implement({
  description: 'Score 0–100 (100 exactly when clean; formula in the README) and its breakdown.',
  fields: (t) => ({
    score: t.exposeInt('score'),
    status: t.expose('status', { type: HealthStatusEnum }),
    checkedAt: t.expose('checkedAt', { type: 'DateTime' }),
    types: t.field({ type: [HealthTypeType], resolve: (r) => r.types }),
    checks: t.field({ type: [HealthCheckType], resolve: (r) => r.checks }),
    issues: t.field({ type: [ConstraintIssueType], resolve: (r) => r.issues }),
    historyId: t.id({
      nullable: true,
      description:
        'The healthHistory entry that records this state: pass it as healthChanged(after:) to resume. Null for a report not recorded (a `health` query between changes).',
      resolve: (r) => r.historyId ?? null,
    }),
  }),
});

builder.queryField('health', (t) =>
  t.field({
    type: HealthReportType,
    description:
      'A full health scan: natural keys, foreign keys, and every protected reference. Shared by all ' +
      'readers: the report is at most a second old (see checkedAt), and scans start at most once a second.',
    resolve: (_root, _args, { app }) => sharedHealth(app.db.manager),
  }),
);

builder.subscriptionField('healthChanged', (t) =>
  t.field({
    type: HealthReportType,
    description:
      'The current report at once, then every report whose score, status or counts differ. With `after` (a historyId), the recorded reports after it first, oldest first (their issues are not kept: an empty list), then the current one if it differs.',
    args: { after: t.arg.id({ required: false }) },
    subscribe: (_root, args, { app }) =>
      streamHealth(app.db.manager, app.pubsub, {
        after: args.after == null ? undefined : String(args.after),
      }),
    resolve: (report) => report,
  }),
);

const HealthHistoryEntryType = builder.objectRef<HealthHistoryEntry>('HealthHistoryEntry').implement({
  description: 'The health report as it stood after one change of its score, status or counts.',
  fields: (t) => ({
    id: t.exposeID('id'),
    checkedAt: t.expose('checkedAt', { type: 'DateTime' }),
    score: t.exposeInt('score'),
    status: t.expose('status', { type: HealthStatusEnum }),
    types: t.field({ type: [HealthTypeType], resolve: (r) => r.types }),
    checks: t.field({ type: [HealthCheckType], resolve: (r) => r.checks }),
  }),
});

builder.queryField('healthHistory', (t) =>
  t.field({
    type: [HealthHistoryEntryType],
    description:
      'The report after each change since `since`, oldest first (kept 30 days; at most the newest 2000).',
    args: { since: t.arg({ type: 'DateTime', required: true }) },
    resolve: (_root, { since }, { app }) => listHealthHistory(app.db.manager, since),
  }),
);
