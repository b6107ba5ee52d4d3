import type { Config } from '../config.ts';
import { maskSample } from '../logs/mask.ts';
import { type LogAlertEvent, streamLogAlerts } from '../services/logs/alerts.ts';
import { listLogFindings, type StoredLogFinding } from '../services/logs/findings.ts';
import { listLogOccurrences, type LogOccurrences } from '../services/logs/occurrences.ts';
import { builder } from './builder.ts';
import { parseEventId } from './orphan.ts';

/**
 * Samples are stored as written and masked here, on the way out: `BPETL_LOG_SAMPLES=raw` then shows
 * every stored sample as it was (no re-scan of the logs needed), switching back masks them all
 * again, and the operator's own `bpetl logs` on the machine keeps printing the lines as written.
 * Masking on write would lose for good what an operator opting in needs to read.
 */
function shownSample(sample: string, config: Config): string {
  return config.logSamples === 'raw' ? sample : maskSample(sample);
}

export const LogFindingType = builder.objectRef<StoredLogFinding>('LogFinding').implement({
  description: 'One problem found in the logs: occurrences deduplicated by fingerprint.',
  fields: (t) => ({
    id: t.exposeID('id'),
    category: t.exposeString('category', {
      description:
        'UPSERT_FAILURE, CONSTRAINT_VIOLATION, CONNECTION_TIMEOUT, ORPHAN_INDICATOR, ' +
        'ABORTED_TRANSACTION, DEADLOCK, or a configured pattern’s name.',
    }),
    fingerprint: t.exposeString('fingerprint', {
      description: 'Category plus the message with its varying parts (ids, numbers, quoted values) masked.',
    }),
    count: t.exposeInt('count', { description: 'Occurrences recorded so far.' }),
    firstSeen: t.expose('firstSeen', {
      type: 'DateTime',
      nullable: true,
      description: 'Null when no occurrence carried a timestamp.',
    }),
    lastSeen: t.expose('lastSeen', { type: 'DateTime', nullable: true }),
    files: t.exposeStringList('files'),
    sample: t.string({
      description:
        'One occurrence as written in the log; e-mail addresses and quoted literals masked unless ' +
        'BPETL_LOG_SAMPLES=raw.',
      resolve: (f, _args, { app }) => shownSample(f.sample, app.config),
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

export const LogAlertType = builder.objectRef<LogAlertEvent>('LogAlert').implement({
  description: 'A category’s occurrences reached its threshold within its window (at most one per window).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The alert’s sequence number; pass it as `after` to resume.' }),
    category: t.exposeString('category'),
    count: t.exposeInt('count', { description: 'Occurrences within the window when it was raised.' }),
    threshold: t.exposeInt('threshold'),
    windowSeconds: t.exposeInt('windowSeconds'),
    raisedAt: t.expose('raisedAt', { type: 'DateTime' }),
    message: t.string({
      description: 'One readable line: what crossed which threshold, and the latest sample.',
      resolve: (a, _args, { app }) =>
        `${a.category}: ${a.count} occurrence(s) within ${a.windowSeconds} s (threshold ${a.threshold})` +
        (a.finding ? `; latest: ${shownSample(a.finding.sample, app.config).slice(0, 300)}` : ''),
    }),
    finding: t.field({
      type: LogFindingType,
      nullable: true,
      description: 'The category’s most recently seen finding when the alert was delivered.',
      resolve: (a) => a.finding,
    }),
  }),
});

builder.queryField('logFindings', (t) =>
  t.field({
    type: [LogFindingType],
    description:
      'Findings from the log monitor, most recently seen first; `first` from 1 to 500 (default 50).',
    args: {
      category: t.arg.string({ required: false }),
      since: t.arg({ type: 'DateTime', required: false, description: 'Last seen at or after this time.' }),
      first: t.arg.int({ required: false }),
    },
    resolve: (_root, args, { app }) =>
      listLogFindings(app.db.manager, { category: args.category, since: args.since, first: args.first }),
  }),
);

builder.subscriptionField('logAlert', (t) =>
  t.field({
    type: LogAlertType,
    description:
      'Alerts as thresholds are crossed (optionally of one category). With `after` (an alert id), stored ' +
      'alerts after it first, then live ones; without, only alerts newer than the subscription.',
    args: {
      category: t.arg.string({ required: false }),
      after: t.arg.id({ required: false }),
    },
    subscribe: (_root, args, { app }) =>
      streamLogAlerts(app.db.manager, app.pubsub, {
        category: args.category,
        after: parseEventId(args.after),
      }),
    resolve: (alert) => alert,
  }),
);

const LogOccurrencesType = builder.objectRef<LogOccurrences>('LogOccurrences').implement({
  description: 'Occurrences of one category on one day (UTC), as the log monitor counted them.',
  fields: (t) => ({
    category: t.exposeString('category'),
    day: t.expose('day', { type: 'DateTime', description: 'Midnight UTC of the day.' }),
    count: t.exposeInt('count'),
  }),
});

builder.queryField('logOccurrences', (t) =>
  t.field({
    type: [LogOccurrencesType],
    description:
      'Occurrences per category and day from the day of `since` on, counted as the log monitor read them (the chart of the console).',
    args: { since: t.arg({ type: 'DateTime', required: true }) },
    resolve: (_root, args, { app }) => listLogOccurrences(app.db.manager, args.since),
  }),
);
