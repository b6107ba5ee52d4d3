import { CHANNEL } from '../../events/channels.ts';
import { TOPIC } from '../../events/topics.ts';
import type { ServiceHost } from '../host.ts';

/**
 * Relays the NOTIFY sent with every pipeline event to this instance's followers, so a run on another
 * instance is followed as promptly as a local one. Only a wake-up: followers read the events table,
 * and poll it anyway when no hint comes.
 */
export async function startPipelineRelay(
  app: Pick<ServiceHost, 'pubsub' | 'listener' | 'onClose'>,
): Promise<void> {
  const unlisten = await app.listener.listen(CHANNEL.pipeline, (payload) => {
    const runId = runIdOf(payload);
    if (runId !== null) app.pubsub.publish(TOPIC.pipeline, runId, { hint: true });
  });
  app.onClose(unlisten);
}

/** `{"runId": "…"}` from the NOTIFY payload; null after a reconnect (no payload) or for anything else. */
function runIdOf(payload: string | null): string | null {
  if (!payload) return null;
  try {
    const parsed = JSON.parse(payload) as { runId?: unknown } | null;
    return typeof parsed?.runId === 'string' ? parsed.runId : null;
  } catch {
    return null;
  }
}
