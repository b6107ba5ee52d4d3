import { Counter, Gauge, type Registry } from 'prom-client';

import type { Db } from '../../db/sql.ts';
import { CHANNEL } from '../../events/channels.ts';
import type { Listener } from '../../events/listener.ts';
import { LOG_CATEGORIES } from '../../logs/types.ts';
import type { ReadOnce } from './read-once.ts';

interface StreamState {
  orphanEvents: number;
  findings: Array<{ category: string; n: number }>;
  alerts: Array<{ category: string; n: number }>;
}

async function readStreamState(db: Db): Promise<StreamState> {
  const [orphans]: Array<{ n: number }> = await db.query(
    `select count(*)::float8 as n from bpetl.orphan_events`,
  );
  const findings: StreamState['findings'] = await db.query(
    `select category, sum(count)::float8 as n from bpetl.log_findings group by category order by category`,
  );
  const alerts: StreamState['alerts'] = await db.query(
    `select category, count(*)::float8 as n from bpetl.log_alerts group by category order by category`,
  );
  return { orphanEvents: orphans?.n ?? 0, findings, alerts };
}

/** Built-in categories first (at 0 until they occur, so `increase()` sees the first one), then any other. */
function perCategory(rows: Array<{ category: string; n: number }>): Array<[string, number]> {
  const counts = new Map<string, number>(LOG_CATEGORIES.map((c) => [c, 0]));
  for (const row of rows) counts.set(row.category, row.n);
  return [...counts];
}

/**
 * Orphan events and log findings (from the database, the same on every instance) and this
 * process's LISTEN connection and open subscriptions.
 */
export function registerStreamMetrics(
  registry: Registry,
  host: { db: Db; listener: Listener },
  once: ReadOnce,
): { subscriptions: Gauge<'field'>; subscriptionResults: Counter<'field' | 'execution'> } {
  const state = () => once('streams', () => readStreamState(host.db));
  new Counter({
    name: 'bpetl_orphan_events_total',
    help: 'Orphan events the detection triggers (and emergency scans) have recorded',
    registers: [registry],
    async collect() {
      const { orphanEvents } = await state();
      this.reset();
      this.inc(orphanEvents);
    },
  });
  new Counter({
    name: 'bpetl_log_findings_total',
    help: 'Log entries the log monitor has classified, per category',
    labelNames: ['category'],
    registers: [registry],
    async collect() {
      const { findings } = await state();
      this.reset();
      for (const [category, n] of perCategory(findings)) this.inc({ category }, n);
    },
  });
  new Counter({
    name: 'bpetl_log_alerts_total',
    help: 'Log alerts raised (a category past its threshold in its window), per category',
    labelNames: ['category'],
    registers: [registry],
    async collect() {
      const { alerts } = await state();
      this.reset();
      for (const [category, n] of perCategory(alerts)) this.inc({ category }, n);
    },
  });
  new Gauge({
    name: 'bpetl_listener_connected',
    help: "1 while this process's LISTEN connection is up and listening on the channel, else 0",
    labelNames: ['channel'],
    registers: [registry],
    collect() {
      const listener = host.listener.state();
      this.reset();
      const channels = listener.channels.length > 0 ? listener.channels : Object.values(CHANNEL);
      for (const channel of channels) {
        this.set({ channel }, listener.connected && listener.channels.includes(channel) ? 1 : 0);
      }
    },
  });
  new Counter({
    name: 'bpetl_listener_reconnects_total',
    help: "Times this process's LISTEN connection came back after it was lost",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(host.listener.state().reconnects);
    },
  });
  const subscriptions = new Gauge({
    name: 'bpetl_subscriptions_active',
    help: 'GraphQL subscriptions open on this process, per subscription field',
    labelNames: ['field'],
    registers: [registry],
  });
  const subscriptionResults = new Counter({
    name: 'bpetl_subscription_results_total',
    help:
      'Subscription results handed to subscribers, per field: executed for the subscriber, or shared ' +
      "from another subscriber's identical selection of the same event",
    labelNames: ['field', 'execution'],
    registers: [registry],
  });
  return { subscriptions, subscriptionResults };
}
