import type { Config } from '../config.ts';
import { openDataSource } from '../db/data-source.ts';
import { createListener } from '../events/listener.ts';
import { createAppPubSub } from '../events/pubsub.ts';
import { logger } from '../logger.ts';
import type { ServiceHost } from '../services/host.ts';
import { createMetrics, type Metrics } from '../services/metrics/metrics.ts';

/** Long-lived parts of a running service, shared by every request and command. */
export interface App extends ServiceHost {
  config: Config;
  /** What /metrics serves; the GraphQL server counts its subscriptions here. */
  metrics: Metrics;
}

export interface RunningApp extends App {
  close(): Promise<void>;
}

/**
 * Everything a process needs to serve or run commands against one database. Background parts
 * (listener, pollers, pipeline runs) register on `onClose` so shutdown is orderly; the LISTEN
 * connection opens only when something listens.
 */
export async function createApp(config: Config, databaseUrl: string): Promise<RunningApp> {
  const db = await openDataSource(databaseUrl);
  const listener = createListener(databaseUrl);
  const closers: Array<() => Promise<void> | void> = [];
  let closed = false;
  return {
    config,
    db,
    pubsub: createAppPubSub(),
    listener,
    metrics: createMetrics({ db: db.manager, listener }),
    onClose(fn) {
      closers.push(fn);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const fn of closers.reverse()) {
        await Promise.resolve()
          .then(fn)
          .catch((err: unknown) => logger.warn({ err }, 'error while shutting down'));
      }
      await listener.close();
      await db.destroy();
    },
  };
}
