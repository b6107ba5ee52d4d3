import { logger } from '../../logger.ts';
import { recordHealth } from '../health/history.ts';
import { startHealthWatcher } from '../health/report.ts';
import type { ServiceHost } from '../host.ts';
import { type OrphanListenerOptions, startOrphanListener } from './listener.ts';
import { repairOrphans } from './repair.ts';

const log = logger.child({ module: 'orphan-monitor' });

/**
 * The serving process's orphan watch: the listener streams events to subscribers, the health
 * watcher re-checks when they arrive or resolve, and with BPETL_AUTO_REPAIR each new batch is
 * repaired (or quarantined) at once. Everything stops with the app.
 */
export async function startOrphanMonitoring(
  app: ServiceHost,
  options: Pick<OrphanListenerOptions, 'pollIntervalMs' | 'resolveIntervalMs'> & {
    /** Repair each new batch at once (BPETL_AUTO_REPAIR); default false. */
    autoRepair?: boolean;
  } = {},
): Promise<void> {
  const health = startHealthWatcher(app.db.manager, app.pubsub, {
    onChange: (report) => recordHealth(app.db.manager, report),
  });
  const autoRepair = options.autoRepair ?? false;
  const listener = await startOrphanListener(app, {
    ...options,
    onEvents: async (events) => {
      if (autoRepair) {
        try {
          const report = await repairOrphans(app.db, { eventIds: events.map((e) => e.id) });
          if (report.repaired.length + report.quarantined.length > 0) {
            log.info(
              { repaired: report.repaired.length, quarantined: report.quarantined.length },
              'orphans auto-repaired',
            );
          }
        } catch (err) {
          log.warn({ err }, 'auto-repair failed; the events stay open for `bpetl repair`');
        }
      }
      health.poke();
    },
    onResolved: () => health.poke(),
  });
  app.onClose(async () => {
    await listener.close();
    await health.close();
  });
}
