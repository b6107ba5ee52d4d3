import { connectionSettings } from '../../db/sql.ts';
import { logger } from '../../logger.ts';
import { LogFollower } from '../../logs/follower.ts';
import type { LogPattern } from '../../logs/types.ts';
import type { ServiceHost } from '../host.ts';
import { type LogAlertListener, startLogAlertListener } from './alerts.ts';
import type { LogThreshold } from './findings.ts';
import { createLeasedPgOffsetStore, type LeasedOffsetStore } from './lease.ts';

const log = logger.child({ module: 'log-monitor' });

export interface LogMonitorOptions {
  /** The files to follow (BPETL_LOG_PATHS); default none: no follower, only the alert relay. */
  paths?: string[];
  patterns?: LogPattern[];
  thresholds?: Record<string, LogThreshold>;
  intervalMs?: number;
  idleFlushMs?: number;
  /** Files without a saved offset: `end` (default) skips their history, which is `bpetl logs --analyze`'s job. */
  startAt?: 'start' | 'end';
  alertPollIntervalMs?: number;
}

export interface LogMonitor {
  /** Null when no log paths are configured. */
  readonly follower: LogFollower | null;
  readonly listener: LogAlertListener;
  close(): Promise<void>;
}

/**
 * The serving process's log monitor: relays alerts to `logAlert` subscribers and, when log paths are
 * configured, follows them, committing each batch's findings with the offsets after it (restarts
 * neither lose nor repeat lines). Each file is followed by the one instance that holds its lease
 * (see createLeasedPgOffsetStore), so instances sharing log paths count each line once. Stops with
 * the app.
 */
export async function startLogMonitor(
  app: ServiceHost,
  options: LogMonitorOptions = {},
): Promise<LogMonitor> {
  const listener = await startLogAlertListener(app, app.db.manager, {
    pollIntervalMs: options.alertPollIntervalMs,
  });
  const paths = options.paths ?? [];
  let follower: LogFollower | null = null;
  let store: LeasedOffsetStore | null = null;
  let running: Promise<void> = Promise.resolve();
  const controller = new AbortController();
  if (paths.length > 0) {
    store = createLeasedPgOffsetStore(connectionSettings(app.db), {
      merge: 'add',
      thresholds: options.thresholds,
      applicationName: 'bpetl-serve-log-follower',
      onAlert: (alert) => {
        log.warn({ alert }, 'log alert raised');
        listener.poke();
      },
    });
    follower = new LogFollower({
      paths,
      patterns: options.patterns,
      intervalMs: options.intervalMs,
      idleFlushMs: options.idleFlushMs,
      startAt: options.startAt,
      store,
      onProblem: (problem) => log.warn({ problem }, 'log monitor problem'),
    });
    // The first poll fixes where each file starts, so a line written once this returns is read.
    await follower.poll().catch((err: unknown) => log.warn({ err }, 'first log poll failed; retrying'));
    running = follower.run(controller.signal);
    log.info({ paths }, 'following logs');
  }
  let closed = false;
  const monitor: LogMonitor = {
    follower,
    listener,
    async close() {
      if (closed) return;
      closed = true;
      controller.abort();
      await running;
      await store?.close();
      await listener.close();
    },
  };
  app.onClose(() => monitor.close());
  return monitor;
}
