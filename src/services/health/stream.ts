import type { Db } from '../../db/sql.ts';
import type { Subscriber } from '../../events/pubsub.ts';
import { TOPIC } from '../../events/topics.ts';
import { healthHistoryAfter } from './history.ts';
import { fingerprint, type HealthReport, sharedHealth } from './report.ts';

/**
 * `healthChanged`: with `after`, the recorded states after that history entry first; then the
 * current report (the shared one, see sharedHealth) unless the last replayed state is the same,
 * then each one the watcher publishes that differs from the last sent: no subscriber computes a
 * report of its own.
 */
export async function* streamHealth(
  db: Db,
  pubsub: Subscriber,
  options: { after?: string } = {},
): AsyncGenerator<HealthReport> {
  // Subscribed before the history is read, so nothing published meanwhile is missed.
  const iterator = pubsub.subscribe(TOPIC.healthChanged)[Symbol.asyncIterator]();
  try {
    let seen = 0n;
    let current: HealthReport | null = null;
    if (options.after !== undefined) {
      for (const entry of await healthHistoryAfter(db, options.after)) {
        // The history keeps scores, counts and checks; the issues of a past state are not kept.
        current = { ...entry, issues: [], historyId: entry.id };
        seen = BigInt(entry.id);
        yield current;
      }
    }
    const now = await sharedHealth(db);
    if (!current || fingerprint(now) !== fingerprint(current)) {
      current = now;
      yield now;
    }
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const report = next.value;
      // Already replayed from the history, or the same state again.
      if (report.historyId && BigInt(report.historyId) <= seen) continue;
      if (fingerprint(report) === fingerprint(current)) continue;
      current = report;
      yield report;
    }
  } finally {
    await iterator.return?.();
  }
}
