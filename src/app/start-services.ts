import { logger } from '../logger.ts';
import { startLogMonitor } from '../services/logs/monitor.ts';
import { startOrphanMonitoring } from '../services/orphans/monitor.ts';
import { loadDemoOnFirstStart } from '../services/pipeline/demo.ts';
import { startPipelineRelay } from '../services/pipeline/relay.ts';
import { recoverAbandonedRuns } from '../services/pipeline/runs.ts';
import { startRetention } from '../services/retention/schedule.ts';
import type { RunningApp } from './app.ts';

/**
 * Starts the background parts of a serving process. Each capability that needs one
 * (listener, log follower, pipeline recovery) registers its start here, with its configuration.
 */
export async function startServices(
  app: RunningApp,
  options: { loadDemoOnFirstStart: boolean },
): Promise<void> {
  logger.debug({ loadDemo: options.loadDemoOnFirstStart, db: app.db.isInitialized }, 'starting services');
  await startOrphanMonitoring(app, { autoRepair: app.config.autoRepair });
  await recoverAbandonedRuns(app.db);
  await startPipelineRelay(app);
  await startLogMonitor(app, { paths: app.config.logPaths });
  startRetention(app);
  if (options.loadDemoOnFirstStart) await loadDemoOnFirstStart(app);
}
