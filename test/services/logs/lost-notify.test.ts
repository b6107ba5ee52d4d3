import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type LogMonitor, startLogMonitor } from '../../../src/services/logs/monitor.ts';
import { useTestApp } from '../../helpers/app.ts';
import { committed, sseReader } from '../orphans/helpers.ts';

/** The README: a lost notification delays an alert (by the 2-second poll) but never loses it. */
const t = useTestApp();
let monitor: LogMonitor;

beforeAll(async () => {
  // The default poll interval, as `bpetl serve` runs it.
  monitor = await startLogMonitor(t.app, { paths: [] });
});
afterAll(async () => {
  await monitor?.close();
});

describe('logAlert when the NOTIFY is lost', () => {
  it(
    'delivers an alert stored without a notification, through the 2-second poll',
    { timeout: 15_000 },
    async () => {
      const [{ after }] = await t.db.query<{ after: string }>(
        `select coalesce(max(id), 0)::text as after from bpetl.log_alerts`,
      );
      const response = await t.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
        body: JSON.stringify({
          query: `subscription ($after: ID) { logAlert(after: $after) { id category count } }`,
          variables: { after },
        }),
      });
      const sse = sseReader(response);
      try {
        // The first read of the subscription has happened once a notified alert arrives.
        await committed(t.db.pool, [
          [
            `insert into bpetl.log_alerts (category, count, threshold, window_seconds) values ('DEADLOCK', 3, 3, 300)`,
          ],
        ]);
        const first = await sse.next<{ data: { logAlert: { id: string; category: string } } }>();
        expect(first.data.logAlert.category).toBe('DEADLOCK');

        // Replica mode fires no ordinary trigger: the row is stored and its NOTIFY is never sent.
        await committed(t.db.pool, [
          ['set local session_replication_role = replica'],
          [
            `insert into bpetl.log_alerts (category, count, threshold, window_seconds) values ('UPSERT_FAILURE', 5, 5, 300)`,
          ],
        ]);
        const [{ lost }] = await t.db.query<{ lost: string }>(
          `select max(id)::text as lost from bpetl.log_alerts where category = 'UPSERT_FAILURE'`,
        );
        const second = await sse.next<{
          data: { logAlert: { id: string; category: string; count: number } };
        }>();
        expect(second.data.logAlert).toEqual({ id: lost, category: 'UPSERT_FAILURE', count: 5 });
      } finally {
        await sse.close();
      }
    },
  );
});
