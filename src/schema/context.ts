import type { DataSource } from 'typeorm';

import type { Config } from '../config.ts';
import type { PubSub } from '../events/pubsub.ts';

/** Long-lived parts of a running service, shared by every request. */
export interface App {
  config: Config;
  db: DataSource;
  pubsub: PubSub;
  /** Stops background work started by the services (listeners, pollers, runs). */
  onClose(fn: () => Promise<void> | void): void;
}

export interface GraphQLContext {
  app: App;
  requestId: string;
  /** True when no token is configured, or the request carried the right one. */
  authenticated: boolean;
}
