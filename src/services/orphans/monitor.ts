import { logger } from '../../logger.ts';
import type { App } from '../../schema/context.ts';
import { startHealthWatcher } from '../health/report.ts';
import { type OrphanListenerOptions, startOrphanListener } from './listener.ts';
import { repairOrphans } from './repair.ts';

const log = logger.child({ module: 'orphan-monitor' });

/**
 * The serving process's orphan watch: the listener streams events to subscribers, the health
 * watcher re-checks when they arrive or resolve, and with BPETL_AUTO_REPAIR each new batch is
 * repaired (or quarantined) at once. Everything stops with the app.
 */
export async function startOrphanMonitoring(
  app: App,
  options: Pick<OrphanListenerOptions, 'pollIntervalMs' | 'resolveIntervalMs'> & {
    autoRepair?: boolean;
  } = {},
): Promise<void> {
  const health = startHealthWatcher(app.db.manager, app.pubsub);
  const autoRepair = options.autoRepair ?? app.config.autoRepair;
  const listener = await startOrphanListener(app.db, app.pubsub, {
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
