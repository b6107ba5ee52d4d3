import { setMaxListeners } from 'node:events';

import { createPubSub } from 'graphql-yoga';

/**
 * In-process topics. Cross-instance delivery does not go through here: every instance LISTENs to
 * PostgreSQL itself and publishes what it hears locally, so subscribers on any instance get every event.
 */
export type PubSubEvents = {
  [topic: string]: [unknown] | [string | number, unknown];
};

export function createAppPubSub() {
  const eventTarget = new EventTarget();
  // Every open subscription is one listener: hundreds are normal, not a leak.
  setMaxListeners(0, eventTarget);
  return createPubSub<PubSubEvents>({ eventTarget });
}

export type PubSub = ReturnType<typeof createAppPubSub>;
