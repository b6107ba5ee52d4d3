import {
  createSourceEventStream,
  type DocumentNode,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

import type { GraphQLContext } from '../schema/context.ts';
import type { Metrics } from '../services/metrics/metrics.ts';
import { subscriptionField } from './metrics.ts';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * What makes two subscribers' results for one event the same: the operation (documents are parsed
 * once per query text by yoga's cache, so identity works), its variables and who is asking. The
 * rest of the context (the app, a request id) is the same service for everyone or only labels logs.
 */
function selectionKey(args: ExecutionArgs, documentId: (document: DocumentNode) => number): string {
  const id = documentId(args.document);
  const context = args.contextValue as Partial<GraphQLContext> | undefined;
  return JSON.stringify([
    id,
    args.operationName ?? null,
    args.variableValues ?? null,
    context?.authenticated ?? null,
  ]);
}

/** A result that serialises itself once: yoga's SSE writer calls `stringify` for each subscriber. */
function serialiseOnce(result: ExecutionResult): ExecutionResult {
  let json: string | null = null;
  Object.defineProperty(result, 'stringify', {
    value: (value: unknown) => (value === result ? (json ??= JSON.stringify(result)) : JSON.stringify(value)),
    enumerable: false,
  });
  return result;
}

/**
 * Maps a source stream like graphql-js's own subscribe does, but `return()` reaches the source at
 * once (an async generator would wait for the next event before it let a departed subscriber go).
 */
function mapStream<T>(
  source: AsyncIterator<T>,
  fn: (value: T) => Result,
): AsyncIterableIterator<ExecutionResult> {
  const map = async (step: IteratorResult<T>): Promise<IteratorResult<ExecutionResult>> => {
    if (step.done) return { done: true, value: undefined };
    try {
      return { done: false, value: await fn(step.value) };
    } catch (err) {
      await source.return?.().catch(() => undefined);
      throw err;
    }
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: async () => map(await source.next()),
    return: async () => (source.return ? map(await source.return()) : { done: true, value: undefined }),
    throw: async (err: unknown) => {
      if (source.throw) return map(await source.throw(err));
      throw err;
    },
  };
}

/**
 * Fan-out that keeps up: an event that reaches many subscriptions (the pubsub hands every subscriber
 * the same event object) is executed and serialised once per distinct selection, not once per
 * subscriber. Events read for one subscriber alone (a replay from its cursor) are new objects and
 * simply miss the cache. Results are kept per event object, so they go when the event does.
 */
export function useSharedSubscriptionResults(
  metrics: Pick<Metrics, 'subscriptionResult'>,
): Plugin<GraphQLContext> {
  const documents = new WeakMap<DocumentNode, number>();
  let lastDocument = 0;
  const documentId = (document: DocumentNode) => {
    let id = documents.get(document);
    if (id === undefined) documents.set(document, (id = ++lastDocument));
    return id;
  };
  const results = new WeakMap<object, Map<string, Result>>();
  const executeOnce = (args: ExecutionArgs, key: string, field: string, payload: unknown): Result => {
    if (typeof payload !== 'object' || payload === null) {
      metrics.subscriptionResult(field, 'executed');
      return execute({ ...args, rootValue: payload });
    }
    let byKey = results.get(payload);
    if (!byKey) results.set(payload, (byKey = new Map()));
    let result = byKey.get(key);
    metrics.subscriptionResult(field, result ? 'shared' : 'executed');
    if (!result) {
      result = Promise.resolve(execute({ ...args, rootValue: payload })).then(serialiseOnce);
      byKey.set(key, result);
    }
    return result;
  };
  const subscribe = async (args: ExecutionArgs) => {
    const stream = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in stream)) return stream;
    const key = selectionKey(args, documentId);
    const field = subscriptionField(args);
    return mapStream(stream[Symbol.asyncIterator](), (payload) => executeOnce(args, key, field, payload));
  };
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(subscribe as Parameters<typeof setSubscribeFn>[0]);
    },
  };
}
