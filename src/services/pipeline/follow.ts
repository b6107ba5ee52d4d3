import { AppError } from '../../errors.ts';
import { TOPIC } from '../../events/topics.ts';
import type { ServiceHost } from '../host.ts';
import { eventsAfter, FINAL_STATUSES, getRun, type PipelineEvent, type RunStatus } from './runs.ts';

/** How long a follower waits for a hint before it reads the events table anyway. */
const FOLLOW_BACKSTOP_MS = 1000;

/**
 * A run's events after `after`: the stored ones first, then live ones as they are written, ending
 * with the run. The events table is the truth; local pubsub messages (and NOTIFY relayed by a
 * listener) only wake the follower early, and a backstop read each second covers runs on other
 * instances and anything missed.
 */
export async function* followRunEvents(
  app: ServiceHost,
  runId: string,
  after: string | null,
): AsyncGenerator<PipelineEvent> {
  const run = await getRun(app.db, runId);
  const hints = app.pubsub.subscribe(TOPIC.pipeline, run.id)[Symbol.asyncIterator]();
  let cursor = after ? parseCursor(after) : '0';
  let pendingHint: Promise<unknown> | null = null;
  try {
    for (;;) {
      const events = await eventsAfter(app.db, run.id, cursor);
      for (const event of events) {
        cursor = event.id;
        yield event;
        if (event.step === 'run' && FINAL_STATUSES.includes(event.status as RunStatus)) return;
      }
      if (events.length > 0) continue;
      // No final event yet: the run may have died without writing one (getRun marks it FAILED).
      if (FINAL_STATUSES.includes((await getRun(app.db, run.id)).status)) {
        const last = await eventsAfter(app.db, run.id, cursor);
        for (const event of last) yield event;
        return;
      }
      pendingHint ??= hints.next().finally(() => {
        pendingHint = null;
      });
      await Promise.race([pendingHint, new Promise((resolve) => setTimeout(resolve, FOLLOW_BACKSTOP_MS))]);
    }
  } finally {
    await hints.return?.();
  }
}

function parseCursor(after: string): string {
  if (!/^\d{1,18}$/.test(after)) {
    throw new AppError('INVALID_INPUT', `"${after}" is not an event cursor (an event id)`, {
      field: 'after',
    });
  }
  return after;
}
