import { collectDefaultMetrics, Registry } from 'prom-client';

import type { Db } from '../../db/sql.ts';
import type { Listener } from '../../events/listener.ts';
import { registerHealthMetrics } from '../health/metrics.ts';
import { createReadOnce } from './read-once.ts';
import { registerRunMetrics } from './run-metrics.ts';
import { registerStreamMetrics } from './stream-metrics.ts';

export interface Metrics {
  contentType: string;
  /** Reads what lives in the database and renders every metric in Prometheus text format. */
  render(): Promise<string>;
  /** Counts a GraphQL subscription on `field` as open; the returned function closes it (once). */
  subscriptionOpened(field: string): () => void;
  /**
   * Counts a result handed to a subscriber of `field`: `executed` for it, or `shared` from the
   * execution another subscriber's identical selection made of the same event.
   */
  subscriptionResult(field: string, execution: 'executed' | 'shared'): void;
}

/**
 * Every metric a process serves on /metrics: the health report, pipeline runs, orphan events and
 * log findings (all read from the database at scrape time), this process's listener and
 * subscriptions, and prom-client's process metrics under `bpetl_`. Its own registry, not
 * prom-client's global one, so several apps in one process never register a metric twice. The
 * process collectors start at the first scrape: a CLI command that never serves pays nothing.
 */
export function createMetrics(host: { db: Db; listener: Listener }): Metrics {
  const registry = new Registry();
  const once = createReadOnce();
  registerHealthMetrics(registry, host.db, once);
  registerRunMetrics(registry, host.db, once);
  const { subscriptions, subscriptionResults } = registerStreamMetrics(registry, host, once);
  let processMetrics = false;
  return {
    contentType: registry.contentType,
    render() {
      if (!processMetrics) {
        processMetrics = true;
        collectDefaultMetrics({ register: registry, prefix: 'bpetl_' });
        // Gauges named like counters (promtool's lint refuses them); each is the sum of the
        // per-type gauge beside it (`bpetl_nodejs_active_handles{type}`, …).
        for (const name of ['active_handles', 'active_requests', 'active_resources']) {
          registry.removeSingleMetric(`bpetl_nodejs_${name}_total`);
        }
      }
      return registry.metrics();
    },
    subscriptionOpened(field) {
      subscriptions.inc({ field });
      let open = true;
      return () => {
        if (!open) return;
        open = false;
        subscriptions.dec({ field });
      };
    },
    subscriptionResult(field, execution) {
      subscriptionResults.inc({ field, execution });
    },
  };
}
