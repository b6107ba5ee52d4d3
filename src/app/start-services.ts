import { logger } from '../logger.ts';
import { startLogMonitor } from '../services/logs/monitor.ts';
import { startOrphanMonitoring } from '../services/orphans/monitor.ts';
import { loadDemoOnFirstStart } from '../services/pipeline/demo.ts';
import { startPipelineListener } from '../services/pipeline/relay.ts';
import { recoverAbandonedRuns } from '../services/pipeline/runs.ts';
import type { RunningApp } from './app.ts';

/**
 * Starts the background parts of a serving process. Each capability that needs one
 * (listener, log follower, pipeline recovery) registers its start here.
 */
export async function startServices(
  app: RunningApp,
  options: { loadDemoOnFirstStart: boolean },
): Promise<void> {
  logger.debug({ loadDemo: options.loadDemoOnFirstStart, db: app.db.isInitialized }, 'starting services');
  await startOrphanMonitoring(app);
  await recoverAbandonedRuns(app.db);
  await startPipelineListener(app);
  await startLogMonitor(app);
  if (options.loadDemoOnFirstStart) await loadDemoOnFirstStart(app);
}
