import type { DataSource } from 'typeorm';

import type { Listener } from '../events/listener.ts';
import type { PubSub } from '../events/pubsub.ts';

/**
 * What the composition root (src/app) hands to services that outlive one call: the database, the
 * in-process pubsub, the process's one LISTEN connection, and a hook to stop background work.
 * Services depend on this shape, never on src/app, so the root sits above them.
 */
export interface ServiceHost {
  db: DataSource;
  pubsub: PubSub;
  listener: Listener;
  /** Stops background work started by the services (listeners, pollers, runs). */
  onClose(fn: () => Promise<void> | void): void;
}
