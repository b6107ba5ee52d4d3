import { setMaxListeners } from 'node:events';

import { createPubSub } from '@graphql-yoga/subscription';

import type { Topics } from './topics.ts';

/** The topic map as yoga's pubsub wants it (a mapped type, so it satisfies yoga's index signature). */
type PublishArgs = { [K in keyof Topics]: Topics[K] };

/** The process's one in-process pubsub; every topic and payload is typed by `Topics`. */
export function createAppPubSub() {
  const eventTarget = new EventTarget();
  // Every open subscription is one listener: hundreds are normal, not a leak.
  setMaxListeners(0, eventTarget);
  return createPubSub<PublishArgs>({ eventTarget });
}

export type PubSub = ReturnType<typeof createAppPubSub>;
export type Publisher = Pick<PubSub, 'publish'>;
export type Subscriber = Pick<PubSub, 'subscribe'>;
