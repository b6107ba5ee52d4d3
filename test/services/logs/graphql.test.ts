import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { LogFinding } from '../../../src/logs/types.ts';
import { type LogMonitor, startLogMonitor } from '../../../src/services/logs/monitor.ts';
import { useTestApp } from '../../helpers/app.ts';
import { recordIn } from '../../helpers/log-findings.ts';
import { sseReader } from '../orphans/helpers.ts';

const t = useTestApp();
let monitor: LogMonitor;

beforeAll(async () => {
  // No paths: only the alert relay (NOTIFY → subscribers) runs.
  monitor = await startLogMonitor(t.app, { paths: [], alertPollIntervalMs: 200 });
});
afterAll(async () => {
  await monitor?.close();
});

function finding(category: string, message: string, count: number, at: string): LogFinding {
  return {
    category,
    fingerprint: `${category}:${message}`.slice(0, 60),
    count,
    firstSeen: at,
    lastSeen: at,
    files: ['/var/log/bpetl/app.log'],
    sample: `ERROR: ${message}`,
  };
}

const FINDINGS_QUERY = `query ($category: String, $since: DateTime, $first: Int) {
  logFindings(category: $category, since: $since, first: $first) {
    id category fingerprint count firstSeen lastSeen files sample updatedAt
  }
}`;

interface FindingResult {
  id: string;
  category: string;
  fingerprint: string;
  count: number;
  firstSeen: string | null;
  lastSeen: string | null;
  files: string[];
  sample: string;
}

describe('logFindings', () => {
  beforeAll(async () => {
    await recordIn(
      t.db,
      [
        finding('DEADLOCK', 'deadlock detected', 2, '2025-08-06T10:00:00.000Z'),
        finding('UPSERT_FAILURE', 'upsert of teams failed', 4, '2025-08-07T10:00:00.000Z'),
        finding('DEADLOCK', 'deadlock on polls', 1, '2025-08-08T10:00:00.000Z'),
      ],
      { merge: 'max', thresholds: {} },
    );
  });

  it('lists stored findings, most recently seen first, with every field', async () => {
    const r = await t.graphql<{ logFindings: FindingResult[] }>(FINDINGS_QUERY, {});
    expect(r.errors).toBeUndefined();
    expect(r.data!.logFindings.map((f) => [f.category, f.sample, f.count])).toEqual([
      ['DEADLOCK', 'ERROR: deadlock on polls', 1],
      ['UPSERT_FAILURE', 'ERROR: upsert of teams failed', 4],
      ['DEADLOCK', 'ERROR: deadlock detected', 2],
    ]);
    expect(r.data!.logFindings[2]).toMatchObject({
      fingerprint: 'DEADLOCK:deadlock detected',
      firstSeen: '2025-08-06T10:00:00.000Z',
      lastSeen: '2025-08-06T10:00:00.000Z',
      files: ['/var/log/bpetl/app.log'],
    });
    expect(r.data!.logFindings[0]!.id).toMatch(/^\d+$/);
  });

  it('filters by category and since, and limits by first', async () => {
    const byCategory = await t.graphql<{ logFindings: FindingResult[] }>(FINDINGS_QUERY, {
      category: 'DEADLOCK',
    });
    expect(byCategory.data!.logFindings.map((f) => f.sample)).toEqual([
      'ERROR: deadlock on polls',
      'ERROR: deadlock detected',
    ]);
    const since = await t.graphql<{ logFindings: FindingResult[] }>(FINDINGS_QUERY, {
      since: '2025-08-07T00:00:00Z',
    });
    expect(since.data!.logFindings.map((f) => f.category)).toEqual(['DEADLOCK', 'UPSERT_FAILURE']);
    const first = await t.graphql<{ logFindings: FindingResult[] }>(FINDINGS_QUERY, { first: 1 });
    expect(first.data!.logFindings).toHaveLength(1);
  });

  it('refuses a first outside 1..500 with INVALID_INPUT', async () => {
    const r = await t.graphql(FINDINGS_QUERY, { first: 0 });
    expect(r.data).toBeNull();
    expect(r.errors![0]).toMatchObject({
      message: 'first must be an integer from 1 to 500, got 0',
      extensions: { code: 'INVALID_INPUT' },
    });
  });

  it('refuses a since that is not a timestamp', async () => {
    const r = await t.graphql(FINDINGS_QUERY, { since: 'yesterday' });
    expect(r.errors![0]!.message).toMatch(/DateTime must be an ISO-8601 string/);
  });
});

const ALERT_SUBSCRIPTION = `subscription ($category: String, $after: ID) {
  logAlert(category: $category, after: $after) {
    id category count threshold windowSeconds raisedAt message finding { category sample count }
  }
}`;

interface AlertResult {
  id: string;
  category: string;
  count: number;
  threshold: number;
  windowSeconds: number;
  raisedAt: string;
  message: string;
  finding: { category: string; sample: string; count: number } | null;
}

async function subscribeAlerts(variables: { category?: string; after?: string }) {
  const response = await t.yoga.fetch('http://yoga/graphql', {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({ query: ALERT_SUBSCRIPTION, variables }),
  });
  expect(response.status).toBe(200);
  const sse = sseReader(response);
  return {
    async next(): Promise<AlertResult> {
      const message = await sse.next<{ data?: { logAlert: AlertResult }; errors?: unknown }>();
      if (!message.data) throw new Error(`subscription error: ${JSON.stringify(message)}`);
      return message.data.logAlert;
    },
    close: () => sse.close(),
  };
}

async function latestAlertId(): Promise<string> {
  const [row] = await t.db.query<{ id: string }>(
    `select coalesce(max(id), 0)::text as id from bpetl.log_alerts`,
  );
  return row!.id;
}

describe('logAlert over SSE', () => {
  it('streams the alert recordFindings raises when a threshold is crossed, with its finding', async () => {
    const after = await latestAlertId();
    const all = await subscribeAlerts({ after });
    const orphansOnly = await subscribeAlerts({ category: 'ORPHAN_INDICATOR', after });
    try {
      const now = new Date().toISOString();
      // Two deadlocks stay below the threshold of three; the third crosses it.
      const below = await recordIn(t.db, [finding('DEADLOCK', 'deadlock live', 2, now)]);
      expect(below.alerts).toEqual([]);
      const crossed = await recordIn(t.db, [finding('DEADLOCK', 'deadlock live', 1, now)]);
      expect(crossed.alerts).toHaveLength(1);
      const deadlock = await all.next();
      expect(deadlock).toMatchObject({
        id: crossed.alerts[0]!.id,
        category: 'DEADLOCK',
        count: 3,
        threshold: 3,
        windowSeconds: 300,
        finding: { category: 'DEADLOCK', sample: 'ERROR: deadlock live', count: 3 },
      });
      expect(deadlock.message).toBe(
        'DEADLOCK: 3 occurrence(s) within 300 s (threshold 3); latest: ERROR: deadlock live',
      );

      // The filtered subscription skipped the deadlock alert: its first is the orphan one.
      const orphan = await recordIn(t.db, [finding('ORPHAN_INDICATOR', 'orphan seen', 1, now)]);
      expect((await orphansOnly.next()).id).toBe(orphan.alerts[0]!.id);
      expect((await all.next()).id).toBe(orphan.alerts[0]!.id);
    } finally {
      await all.close();
      await orphansOnly.close();
    }
  });

  it('without after, delivers alerts raised after it subscribed', async () => {
    const live = await subscribeAlerts({});
    const raised: string[] = [];
    try {
      // The subscription reads its starting point asynchronously: keep raising alerts in fresh
      // categories until one arrives; it must be one raised after the subscription, never an old one.
      const before = await latestAlertId();
      let received: AlertResult | null = null;
      const next = live.next().then((a) => (received = a));
      for (let i = 0; i < 200 && !received; i++) {
        const category = `LIVE_${i}`;
        const r = await recordIn(t.db, [finding(category, 'live alert', 1, new Date().toISOString())], {
          thresholds: { [category]: { count: 1, windowSeconds: 300 } },
        });
        raised.push(r.alerts[0]!.id);
        await Promise.race([next, new Promise((resolve) => setTimeout(resolve, 100))]);
      }
      expect(received).not.toBeNull();
      expect(raised).toContain(received!.id);
      expect(Number(received!.id)).toBeGreaterThan(Number(before));
    } finally {
      await live.close();
    }
  });

  it('refuses an after that is not an alert id', async () => {
    const response = await t.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: ALERT_SUBSCRIPTION, variables: { after: 'x1' } }),
    });
    const sse = sseReader(response);
    const message = await sse.next<{ errors?: Array<{ message: string; extensions?: { code?: string } }> }>();
    await sse.close();
    expect(message.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_INPUT' } });
  });
});

describe('logOccurrences', () => {
  it('counts occurrences per category and UTC day as the monitor recorded them, from the day of since', async () => {
    const day = (n: number) => new Date(Date.UTC(2031, 0, n, 12)).toISOString();
    await recordIn(
      t.db,
      [finding('DEADLOCK', 'occ one', 2, day(3)), finding('DEADLOCK', 'occ two', 3, day(3))],
      {
        thresholds: {},
      },
    );
    await recordIn(
      t.db,
      [finding('DEADLOCK', 'occ one', 4, day(5)), finding('CONNECTION_TIMEOUT', 'occ three', 1, day(5))],
      {
        thresholds: {},
      },
    );
    // A full rescan keeps the larger count of a finding and is no new occurrence.
    await recordIn(t.db, [finding('DEADLOCK', 'occ one', 9, day(5))], { merge: 'max', thresholds: {} });
    const { data, errors } = await t.graphql<{
      logOccurrences: Array<{ category: string; day: string; count: number }>;
    }>(`query ($since: DateTime!) { logOccurrences(since: $since) { category day count } }`, {
      since: new Date(Date.UTC(2031, 0, 3, 18)).toISOString(),
    });
    expect(errors).toBeUndefined();
    expect(data!.logOccurrences).toEqual([
      { category: 'DEADLOCK', day: '2031-01-03T00:00:00.000Z', count: 5 },
      { category: 'CONNECTION_TIMEOUT', day: '2031-01-05T00:00:00.000Z', count: 1 },
      { category: 'DEADLOCK', day: '2031-01-05T00:00:00.000Z', count: 4 },
    ]);
    const bad = await t.graphql(`{ logOccurrences(since: "yesterday") { count } }`);
    expect(bad.errors?.[0]?.message).toMatch(/DateTime/);
  });
});
