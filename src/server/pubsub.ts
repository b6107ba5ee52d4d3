import { createPubSub } from 'graphql-yoga';

/**
 * In-process topics. Cross-instance delivery does not go through here: every instance LISTENs to
 * PostgreSQL itself and publishes what it hears locally, so subscribers on any instance get every event.
 */
export type PubSubEvents = {
  [topic: string]: [unknown] | [string | number, unknown];
};

export function createAppPubSub() {
  return createPubSub<PubSubEvents>();
}

export type PubSub = ReturnType<typeof createAppPubSub>;
