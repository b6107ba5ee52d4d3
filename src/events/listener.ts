import { createRequire } from 'node:module';

import type pg from 'pg';
import type { Options as ListenOptions, Subscriber } from 'pg-listen';

import { logger } from '../logger.ts';
import type { Channel } from './channels.ts';

const log = logger.child({ module: 'listener' });

// pg-listen is CommonJS exporting `default`; required directly, its shape is the same under Node
// and under vitest's transform.
const createPostgresSubscriber = (
  createRequire(import.meta.url)('pg-listen') as {
    default: (config: pg.ClientConfig, options?: ListenOptions) => Subscriber;
  }
).default;

/** application_name of the LISTEN connection, so operators (and tests) can find its backend. */
export const LISTENER_APPLICATION_NAME = 'bpetl-listener';

/**
 * Called with a notification's raw payload, and with `null` after every (re)connect: a NOTIFY sent
 * while the connection was down is gone, so a handler reads its table again on either.
 */
export type NotificationHandler = (payload: string | null) => void;

/** What the listener's connection is doing, for metrics and the readiness probe. */
export interface ListenerState {
  /** False until something listens (the connection opens with the first handler). */
  opened: boolean;
  /** The connection is up and LISTENs on every channel in `channels`. */
  connected: boolean;
  /** Channels with at least one handler. */
  channels: Channel[];
  /** Times the connection came back after it was lost. */
  reconnects: number;
}

export interface Listener {
  /**
   * Calls `handler` for `channel` until the returned function is called. The first handler opens
   * the connection; a channel is LISTENed while it has a handler.
   */
  listen(channel: Channel, handler: NotificationHandler): Promise<() => Promise<void>>;
  state(): ListenerState;
  close(): Promise<void>;
}

/**
 * The process's one LISTEN connection (pg-listen's own client, never a pooled one), dispatching
 * every channel to its handlers. It reconnects forever and LISTENs again on every channel.
 */
export function createListener(url: string): Listener {
  const handlers = new Map<Channel, Set<NotificationHandler>>();
  let subscriber: Subscriber | null = null;
  let connecting: Promise<Subscriber> | null = null;
  let closed = false;
  let connectedNow = false;
  let connects = 0;

  const dispatch = (channel: Channel, payload: string | null) => {
    for (const handler of handlers.get(channel) ?? []) {
      try {
        handler(payload);
      } catch (err) {
        log.warn({ err, channel }, 'notification handler failed');
      }
    }
  };
  const open = async (): Promise<Subscriber> => {
    const created = createPostgresSubscriber(
      { connectionString: url, application_name: LISTENER_APPLICATION_NAME },
      {
        // Reconnect forever (retryTimeout 0 disables the default 3 s give-up) with capped backoff:
        // a database restart must not silently end any stream.
        retryLimit: Infinity,
        retryTimeout: 0,
        retryInterval: (attempt: number) => Math.min(100 * 2 ** attempt, 5000),
        // A half-open TCP connection delivers nothing and reports nothing: check it every 10 s.
        paranoidChecking: 10_000,
        // Payloads are handed over raw; each handler knows its channel's format.
        parse: (payload: string) => payload,
      },
    );
    created.events.on('notification', ({ channel, payload }: { channel: string; payload?: unknown }) =>
      dispatch(channel as Channel, typeof payload === 'string' ? payload : ''),
    );
    created.events.on('connected', () => {
      connectedNow = true;
      connects += 1;
      for (const channel of handlers.keys()) dispatch(channel, null);
    });
    // pg-listen announces each attempt to connect again: the connection is down until `connected`.
    created.events.on('reconnect', (attempt: number) => {
      connectedNow = false;
      log.info({ attempt }, 'listener reconnecting');
    });
    created.events.on('error', (err: Error) => {
      connectedNow = false;
      log.warn({ err }, 'listener connection error');
    });
    await created.connect();
    return created;
  };
  const connected = async (): Promise<Subscriber> => {
    if (subscriber) return subscriber;
    connecting ??= open().then(
      (created) => (subscriber = created),
      (err: unknown) => {
        // The next listen tries again with a fresh client.
        connecting = null;
        throw err;
      },
    );
    return connecting;
  };

  return {
    async listen(channel, handler) {
      if (closed) throw new Error('The listener is closed');
      const client = await connected();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await client.listenTo(channel);
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size > 0 || handlers.get(channel) !== set) return;
        handlers.delete(channel);
        if (!closed) await Promise.resolve(client.unlisten(channel)).catch(() => undefined);
      };
    },
    state() {
      return {
        opened: subscriber !== null,
        connected: connectedNow && !closed,
        channels: [...handlers.keys()],
        reconnects: Math.max(0, connects - 1),
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      connectedNow = false;
      handlers.clear();
      const client = subscriber ?? (await connecting?.catch(() => null));
      await client?.close().catch(() => undefined);
    },
  };
}
