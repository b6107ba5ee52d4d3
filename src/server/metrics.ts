import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

import { type ExecutionResult, getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';

import type { App } from '../app/app.ts';
import { logger } from '../logger.ts';

/** Serves GET /metrics (Prometheus text format) in front of `next`; everything else goes on. */
export function withMetricsEndpoint(app: App, next: RequestListener): RequestListener {
  const metrics = app.metrics;
  return (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') return next(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    metrics.render().then(
      (text) =>
        res
          .writeHead(200, { 'content-type': metrics.contentType })
          .end(req.method === 'HEAD' ? undefined : text),
      (err: unknown) => {
        logger.error({ err }, 'rendering /metrics failed');
        res
          .writeHead(503, { 'content-type': 'text/plain' })
          .end('metrics could not be read from the database\n');
      },
    );
  };
}

/** The root field a subscription operation selects (a subscription selects exactly one). */
export function subscriptionField(args: {
  document: Parameters<typeof getOperationAST>[0];
  operationName?: string | null;
}) {
  const operation = getOperationAST(args.document, args.operationName);
  const selection = operation?.selectionSet.selections.find((s) => s.kind === Kind.FIELD);
  return selection?.kind === Kind.FIELD ? selection.name.value : 'unknown';
}

/**
 * Counts open subscriptions per field (`bpetl_subscriptions_active`), over SSE and graphql-ws
 * alike: open once its stream exists, closed when the stream ends, fails or the client leaves.
 */
export function useSubscriptionMetrics(app: App): Plugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ args, result, setResult }) {
          if (!result || typeof result !== 'object' || !(Symbol.asyncIterator in result)) return;
          const close = app.metrics.subscriptionOpened(subscriptionField(args));
          const source = result[Symbol.asyncIterator]();
          const counted: AsyncIterableIterator<ExecutionResult> = {
            [Symbol.asyncIterator]() {
              return this;
            },
            next() {
              return source.next().then(
                (step) => {
                  if (step.done) close();
                  return step;
                },
                (err: unknown) => {
                  close();
                  throw err;
                },
              );
            },
            return(value?: unknown) {
              close();
              return source.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined });
            },
            throw(err?: unknown) {
              close();
              return source.throw?.(err) ?? Promise.reject(err);
            },
          };
          setResult(counted);
        },
      };
    },
  };
}
