import { createRequire } from 'node:module';

import type pg from 'pg';
import type { Options as ListenOptions, Subscriber } from 'pg-listen';

import { logger } from '../../logger.ts';
import type { App } from '../../schema/context.ts';
import { PIPELINE_TOPIC } from './run-pipeline.ts';
import { PIPELINE_CHANNEL } from './runs.ts';

const log = logger.child({ module: 'pipeline-listener' });

// pg-listen is CommonJS exporting `default` (see orphans/listener.ts).
const createPostgresSubscriber = (
  createRequire(import.meta.url)('pg-listen') as {
    default: (config: pg.ClientConfig, options?: ListenOptions) => Subscriber;
  }
).default;

/**
 * Relays the NOTIFY sent with every pipeline event to this instance's followers, so a run on another
 * instance is followed as promptly as a local one. Only a wake-up: followers read the events table,
 * and poll it anyway when no hint comes.
 */
export async function startPipelineListener(app: App): Promise<void> {
  const url = (app.db.options as { url?: string }).url;
  if (!url) return;
  const subscriber = createPostgresSubscriber(
    { connectionString: url, application_name: 'bpetl-pipeline-listener' },
    {
      retryLimit: Infinity,
      retryTimeout: 0,
      retryInterval: (attempt: number) => Math.min(100 * 2 ** attempt, 5000),
    },
  );
  subscriber.notifications.on(PIPELINE_CHANNEL, (payload: { runId?: unknown } | undefined) => {
    if (typeof payload?.runId === 'string') app.pubsub.publish(PIPELINE_TOPIC, payload.runId, { hint: true });
  });
  subscriber.events.on('error', (err: Error) => log.warn({ err }, 'pipeline listener connection failed'));
  await subscriber.connect();
  await subscriber.listenTo(PIPELINE_CHANNEL);
  app.onClose(() => subscriber.close());
}
