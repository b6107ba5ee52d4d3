import type { ServiceHost } from '../host.ts';
import type { PipelineRun } from './runs.ts';

/** The runs this process is executing, per host: what cancel and shutdown reach. */

export interface ActiveRun {
  cancelled: boolean;
  finished: Promise<PipelineRun>;
}

const activeRuns = new WeakMap<ServiceHost, Map<string, ActiveRun>>();

export function activeOf(app: ServiceHost): Map<string, ActiveRun> {
  let runs = activeRuns.get(app);
  if (!runs) {
    const created = new Map<string, ActiveRun>();
    activeRuns.set(app, created);
    // Shutdown cancels runs in flight: each rolls back and is recorded as CANCELLED.
    app.onClose(async () => {
      for (const run of created.values()) run.cancelled = true;
      await Promise.all([...created.values()].map((run) => run.finished));
    });
    runs = created;
  }
  return runs;
}

/** The run with this id when this process runs it. */
export function activeRun(app: ServiceHost, id: string): ActiveRun | undefined {
  return activeRuns.get(app)?.get(id);
}
