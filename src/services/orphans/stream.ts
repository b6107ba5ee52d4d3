import type { Db } from '../../db/sql.ts';
import { AppError } from '../../errors.ts';
import type { Subscriber } from '../../events/pubsub.ts';
import { TOPIC } from '../../events/topics.ts';
import { latestEventId, type OrphanEvent, readEventsAfter } from './events.ts';

/** Beyond this many buffered events a stalled subscriber is cut off; it resumes with its cursor. */
const MAX_BUFFERED = 200_000;

/**
 * Pulls a topic into an unbounded local queue as fast as it is published, so a slow consumer never
 * fills the repeater's fixed pending-push limit (1024) and make the publisher throw.
 */
function bufferOrphanEvents(pubsub: Subscriber) {
  const iterator = pubsub.subscribe(TOPIC.orphanEvents)[Symbol.asyncIterator]();
  const queue: OrphanEvent[][] = [];
  let size = 0;
  const signal: { wake: (() => void) | null } = { wake: null };
  let failure: Error | null = null;
  let stopped = false;
  const pump = (async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done || stopped) break;
      const batch = next.value;
      queue.push(batch);
      size += batch.length;
      if (size > MAX_BUFFERED) {
        failure = new AppError('INTERNAL', 'Subscriber fell too far behind; resubscribe with `after`');
        break;
      }
      signal.wake?.();
    }
    signal.wake?.();
  })();
  return {
    async next(): Promise<OrphanEvent[]> {
      while (queue.length === 0) {
        if (failure) throw failure;
        if (stopped) throw new AppError('INTERNAL', 'Subscription stopped');
        await new Promise<void>((resolve) => (signal.wake = resolve));
        signal.wake = null;
      }
      const batch = queue.shift()!;
      size -= batch.length;
      return batch;
    },
    async stop() {
      stopped = true;
      signal.wake?.();
      await iterator.return?.();
      await pump.catch(() => undefined);
    },
  };
}

/**
 * `orphanDetected(after)`: every stored event after `after`, then live ones, each exactly once and
 * in id order. Subscribing to the live topic comes first, so nothing committed between the replay
 * and the first live batch is missed; what both deliver is skipped by id. Without `after` only
 * events newer than the subscription are sent.
 */
export async function* streamOrphanEvents(
  db: Db,
  pubsub: Subscriber,
  after: number | null,
): AsyncGenerator<OrphanEvent> {
  if (after !== null && (!Number.isSafeInteger(after) || after < 0)) {
    throw new AppError('INVALID_INPUT', 'after must be an event id (a non-negative integer)', {
      field: 'after',
    });
  }
  const live = bufferOrphanEvents(pubsub);
  try {
    let last = after ?? (await latestEventId(db));
    for (;;) {
      const page = await readEventsAfter(db, last);
      for (const event of page) yield event;
      if (page.length === 0) break;
      last = page.at(-1)!.id;
    }
    for (;;) {
      for (const event of await live.next()) {
        if (event.id <= last) continue;
        last = event.id;
        yield event;
      }
    }
  } finally {
    await live.stop();
  }
}
