import type { Config } from '../config.ts';
import { openDataSource } from '../db/data-source.ts';
import { createAppPubSub } from '../events/pubsub.ts';
import { logger } from '../logger.ts';
import type { App } from '../schema/context.ts';

export interface RunningApp extends App {
  close(): Promise<void>;
}

/**
 * Everything a process needs to serve or run commands against one database. Background parts
 * (listener, pollers, pipeline runs) register on `onClose` so shutdown is orderly.
 */
export async function createApp(config: Config, databaseUrl: string): Promise<RunningApp> {
  const db = await openDataSource(databaseUrl);
  const closers: Array<() => Promise<void> | void> = [];
  let closed = false;
  return {
    config,
    db,
    pubsub: createAppPubSub(),
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
      await db.destroy();
    },
  };
}
