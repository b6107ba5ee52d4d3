import { logger } from '../../logger.ts';
import type { ServiceHost } from '../host.ts';
import { pruneHistory } from './prune.ts';

const log = logger.child({ component: 'retention' });

/** An hour between rounds: old rows pile up by the day, and a round is cheap when there are none. */
export const RETENTION_INTERVAL_MS = 3_600_000;
/** The first round waits for start-up to settle. */
const FIRST_ROUND_MS = 60_000;

/**
 * Prunes the bpetl schema's history on a timer in a serving process (see pruneHistory); several
 * instances share the work through the retention lock. A failed round is logged and retried at
 * the next one.
 */
export function startRetention(host: ServiceHost, options: { intervalMs?: number } = {}): void {
  const interval = options.intervalMs ?? RETENTION_INTERVAL_MS;
  let running = false;
  const round = async () => {
    if (running) return;
    running = true;
    try {
      const result = await pruneHistory(host.db);
      const deleted = Object.entries(result.deleted).filter(([, n]) => n > 0);
      if (deleted.length > 0) log.info({ deleted: Object.fromEntries(deleted) }, 'pruned old history');
    } catch (err) {
      log.warn({ err }, 'retention round failed; retried at the next one');
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void round(), Math.min(FIRST_ROUND_MS, interval));
  const timer = setInterval(() => void round(), interval);
  first.unref();
  timer.unref();
  host.onClose(() => {
    clearTimeout(first);
    clearInterval(timer);
  });
}
