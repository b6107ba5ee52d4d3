import { CHANNEL } from '../../events/channels.ts';
import { TOPIC } from '../../events/topics.ts';
import { logger } from '../../logger.ts';
import type { ServiceHost } from '../host.ts';
import { latestEventId, type OrphanEvent, readEventsAfter, resolveStaleEvents } from './events.ts';

const log = logger.child({ module: 'orphan-listener' });

export interface OrphanListenerOptions {
  /**
   * Backstop poll, default 1000 ms. NOTIFY is only a hint (lost while disconnected, never
   * replayed), so the table is read on this interval too; one indexed query per second is cheap.
   */
  pollIntervalMs?: number;
  /**
   * How often open events are re-checked for rows that stopped dangling, default 2000 ms. It scans
   * open events per reference, so it runs apart from (and less often than) the cheap event read.
   */
  resolveIntervalMs?: number;
  /** Called with each batch of new events after it was published (auto-repair, health). */
  onEvents?: (events: OrphanEvent[]) => Promise<void> | void;
  /** Called after the resolve sweep changed something. */
  onResolved?: (count: number) => Promise<void> | void;
}

export interface OrphanListener {
  /** Id of the last event published. */
  readonly cursor: number;
  /** Reads and publishes everything past the cursor now (tests, shutdown). */
  drain(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The resolve sweep: marks events whose row was repaired or deleted resolved. It runs on its own
 * timer, never inside a read: it scans open events, and a subscriber must not wait for it. Calls
 * while one runs are dropped; the timer comes back.
 */
function periodicSweep(
  db: Pick<ServiceHost, 'db'>['db'],
  options: Pick<OrphanListenerOptions, 'onResolved'>,
  closed: () => boolean,
): { (): void; running(): Promise<void> | null } {
  let sweeping: Promise<void> | null = null;
  const sweep = () => {
    if (sweeping || closed()) return;
    sweeping = (async () => {
      try {
        const count = await resolveStaleEvents(db.manager);
        if (count > 0) {
          log.debug({ count }, 'orphan events resolved');
          await options.onResolved?.(count);
        }
      } catch (err) {
        if (!closed()) log.warn({ err }, 'resolving orphan events failed');
      } finally {
        sweeping = null;
      }
    })();
  };
  return Object.assign(sweep, { running: () => sweeping });
}

/**
 * Streams orphan events from PostgreSQL to `pubsub` (topic `orphanEvents`, one batch per publish),
 * each exactly once and in id order. The process's LISTEN connection wakes it; after every
 * (re)connect and every notification the table is read past the last id, and a poll catches what
 * a dropped connection missed. Events become visible in id order (the triggers serialise on a
 * lock), so reading past the cursor never skips one.
 */
export async function startOrphanListener(
  { db, pubsub, listener }: Pick<ServiceHost, 'db' | 'pubsub' | 'listener'>,
  options: OrphanListenerOptions = {},
): Promise<OrphanListener> {
  let cursor = await latestEventId(db.manager);
  let closed = false;
  let running: Promise<void> | null = null;
  let again = false;

  const readAll = async () => {
    for (;;) {
      const events = await readEventsAfter(db.manager, cursor);
      if (events.length === 0) return;
      cursor = events.at(-1)!.id;
      pubsub.publish(TOPIC.orphanEvents, events);
      await options.onEvents?.(events);
      if (events.length < 1000) return;
    }
  };
  const sweep = periodicSweep(db, options, () => closed);
  // One reader at a time; a wake-up during a read makes it read once more instead of in parallel.
  const drain = (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      try {
        do {
          again = false;
          await readAll();
        } while (again && !closed);
      } catch (err) {
        // The next notification or poll retries; a failed read never moves the cursor.
        if (!closed) log.warn({ err }, 'reading orphan events failed');
      } finally {
        running = null;
      }
    })();
    return running;
  };

  const unlisten = await listener.listen(CHANNEL.orphanEvent, () => void drain());
  const timer = setInterval(() => void drain(), options.pollIntervalMs ?? 1000);
  timer.unref();
  const sweepTimer = setInterval(sweep, options.resolveIntervalMs ?? 2000);
  sweepTimer.unref();
  await drain();

  return {
    get cursor() {
      return cursor;
    },
    drain,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      clearInterval(sweepTimer);
      await running;
      await sweep.running();
      await unlisten();
    },
  };
}
