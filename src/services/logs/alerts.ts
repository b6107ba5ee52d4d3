import type { Db } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';
import { CHANNEL } from '../../events/channels.ts';
import type { Publisher, Subscriber } from '../../events/pubsub.ts';
import { TOPIC } from '../../events/topics.ts';
import { logger } from '../../logger.ts';
import type { ServiceHost } from '../host.ts';
import { listLogAlerts, listLogFindings, type LogAlert, type StoredLogFinding } from './findings.ts';

const log = logger.child({ module: 'log-alert-listener' });

declare module '../../events/topics.ts' {
  interface Topics {
    /** A bare wake-up ("alerts may have been raised"); subscribers read the table. */
    logAlerts: [wake: null];
  }
}

/** An alert as `logAlert` delivers it: with the category's most recently seen finding. */
export interface LogAlertEvent extends LogAlert {
  finding: StoredLogFinding | null;
}

/**
 * Alert ids come from an identity column, so a transaction that took a lower id can commit after one
 * that took a higher id (alerts of different categories raised at the same moment). Each read looks
 * this many ids back and skips what it already sent, so such a straggler is still delivered once.
 */
const LOOKBACK = 50;
const PAGE = 200;

export function wakeAlertSubscribers(pubsub: Publisher): void {
  pubsub.publish(TOPIC.logAlerts, null);
}

/** Wake-ups coalesce: any number of hints while a read runs make exactly one more read. */
function hints(pubsub: Subscriber) {
  const iterator = pubsub.subscribe(TOPIC.logAlerts)[Symbol.asyncIterator]();
  let pending = false;
  let stopped = false;
  const signal: { wake: (() => void) | null } = { wake: null };
  const pump = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done || stopped) break;
      pending = true;
      signal.wake?.();
    }
  })();
  return {
    async next(): Promise<void> {
      while (!pending) {
        if (stopped) throw new AppError('INTERNAL', 'Subscription stopped');
        await new Promise<void>((resolve) => (signal.wake = resolve));
        signal.wake = null;
      }
      pending = false;
    },
    async stop() {
      stopped = true;
      signal.wake?.();
      await iterator.return?.();
      await pump.catch(() => undefined);
    },
  };
}

export async function latestLogAlertId(db: Db): Promise<number> {
  const rows = await db.query<{ id: number }[]>(
    'select coalesce(max(id), 0)::float8 as id from bpetl.log_alerts',
  );
  return Number(rows[0]?.id ?? 0);
}

/**
 * `logAlert(category, after)`: stored alerts after `after`, then live ones, each once and in id order
 * (stragglers aside, see LOOKBACK). The topic is subscribed before the first read, so an alert
 * committed between the replay and the first hint is not missed. Without `after`, only alerts newer
 * than the subscription. NOTIFY is only a hint: the table is read on every one.
 */
export async function* streamLogAlerts(
  db: Db,
  pubsub: Subscriber,
  options: { category?: string | null; after?: number | null } = {},
): AsyncGenerator<LogAlertEvent> {
  const after = options.after ?? null;
  if (after !== null && (!Number.isSafeInteger(after) || after < 0)) {
    throw new AppError('INVALID_INPUT', 'after must be an alert id (a non-negative integer)', {
      field: 'after',
    });
  }
  const category = options.category ?? null;
  const wake = hints(pubsub);
  try {
    const base = after ?? (await latestLogAlertId(db));
    let last = base;
    const sent = new Set<number>();
    for (;;) {
      for (;;) {
        const floor = Math.max(base, last - LOOKBACK);
        const page = await listLogAlerts(db, { category, after: floor, first: PAGE });
        for (const alert of page) {
          const id = Number(alert.id);
          if (sent.has(id)) continue;
          sent.add(id);
          last = Math.max(last, id);
          const [finding] = await listLogFindings(db, { category: alert.category, first: 1 });
          yield { ...alert, finding: finding ?? null };
        }
        for (const id of sent) if (id <= last - LOOKBACK) sent.delete(id);
        if (page.length < PAGE) break;
      }
      await wake.next();
    }
  } finally {
    await wake.stop();
  }
}

export interface LogAlertListener {
  /** Wakes local subscribers now (an alert raised in this process needs no NOTIFY round trip). */
  poke(): void;
  close(): Promise<void>;
}

/**
 * Relays `bpetl_log_alert` NOTIFYs to this process's `logAlert` subscribers, whichever process raised
 * them (the serve-time follower, `bpetl logs --watch` against the same database, another instance).
 * A poll of the newest alert id backs it up, since a NOTIFY sent while disconnected is gone.
 *
 * After a reconnect, whatever was raised meanwhile is read by the subscribers.
 */
export async function startLogAlertListener(
  { pubsub, listener }: Pick<ServiceHost, 'pubsub' | 'listener'>,
  db: Db,
  options: { pollIntervalMs?: number } = {},
): Promise<LogAlertListener> {
  let closed = false;
  let latest = await latestLogAlertId(db);
  const poke = () => {
    if (!closed) wakeAlertSubscribers(pubsub);
  };
  const unlisten = await listener.listen(CHANNEL.logAlert, poke);
  let polling = false;
  const timer = setInterval(() => {
    if (polling || closed) return;
    polling = true;
    latestLogAlertId(db)
      .then((id) => {
        if (id > latest) poke();
        latest = id;
      })
      .catch((err: unknown) => {
        if (!closed) log.warn({ err }, 'reading the newest log alert failed');
      })
      .finally(() => (polling = false));
  }, options.pollIntervalMs ?? 2000);
  timer.unref();
  return {
    poke,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      await unlisten();
    },
  };
}
