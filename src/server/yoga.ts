import { randomUUID } from 'node:crypto';

import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError } from 'graphql';
import {
  createYoga,
  handleStreamOrSingleExecutionResult,
  maskError,
  type Plugin,
  type YogaServerInstance,
} from 'graphql-yoga';

import type { App } from '../app/app.ts';
import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { GraphQLContext } from '../schema/context.ts';
import { schema } from '../schema/index.ts';
import { bearerToken, tokenMatches, useRequireToken } from './auth.ts';
import { useCoalescedEventStreams } from './coalesced-sse.ts';
import { corsFor, CSRF_HEADERS } from './cors.ts';
import { DEFAULT_QUERY, renderGraphiQLPage, useGraphiQLCompression } from './graphiql.ts';
import { useSubscriptionMetrics } from './metrics.ts';
import { mapStrings, relativePaths, useRelativePaths } from './relative-paths.ts';
import { useRequestBodies } from './request-body.ts';
import { useSharedSubscriptionResults } from './shared-subscriptions.ts';

/**
 * The request id of each error in a result, for the log line its masking writes: maskError has no
 * context argument. (An AsyncLocalStorage would carry it too, but on Node 20 it hooks every promise
 * the server makes, a fifth of the cost of a subscription event.)
 */
const requestIds = new WeakMap<object, string>();

/** Tags every error of a result with its request id, before yoga's masking (the last plugin) runs. */
function useRequestIdsOnErrors(): Plugin<GraphQLContext> {
  const tag = (requestId: string) => (payload: Parameters<typeof handleStreamOrSingleExecutionResult>[0]) =>
    handleStreamOrSingleExecutionResult(payload, ({ result }) => {
      for (const error of result.errors ?? []) requestIds.set(error, requestId);
    });
  return {
    onExecute: ({ args }) => ({ onExecuteDone: tag(args.contextValue.requestId) }),
    onSubscribe: ({ args }) => ({
      onSubscribeResult: tag(args.contextValue.requestId),
      onSubscribeError: ({ error }) => {
        if (typeof error === 'object' && error !== null) requestIds.set(error, args.contextValue.requestId);
      },
    }),
  };
}

function skipForGet(plugin: Plugin): Plugin {
  return {
    ...plugin,
    onRequestParse: (payload) =>
      payload.request.method === 'GET' ? undefined : plugin.onRequestParse?.(payload),
  };
}

export type Yoga = YogaServerInstance<Record<string, unknown>, GraphQLContext>;

/** The error masking of every response: AppErrors keep message and code, the rest is masked. */
function maskErrorWith(relative: (text: string) => string) {
  return (error: unknown, message: string, isDev?: boolean) => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (original instanceof AppError) {
      return new GraphQLError(relative(original.message), {
        nodes: error instanceof GraphQLError ? error.nodes : undefined,
        path: error instanceof GraphQLError ? error.path : undefined,
        extensions: { code: original.code, details: mapStrings(original.details, relative) },
      });
    }
    if (!(error instanceof GraphQLError) || error.originalError) {
      // The request id links the client's masked error to the logged one.
      const requestId = requestIds.get(error as object);
      logger.error({ err: original, requestId }, 'unexpected error in a GraphQL operation');
      const masked = maskError(error, message, isDev) as GraphQLError;
      return new GraphQLError(masked.message, {
        nodes: masked.nodes,
        path: masked.path,
        extensions: { ...masked.extensions, requestId },
      });
    }
    return maskError(error, message, isDev);
  };
}

/** A GraphQL context: over HTTP authenticated by the request's token, over graphql-ws by its socket. */
function contextFor(app: App, initial: unknown): GraphQLContext {
  // graphql-ws passes no fetch Request; its socket was authenticated when it connected.
  const headers = (initial as { request?: Request }).request?.headers;
  const socketAuthenticated = (initial as { socketAuthenticated?: boolean }).socketAuthenticated === true;
  const requestId = headers?.get('x-request-id')?.slice(0, 100) || randomUUID();
  return {
    app,
    requestId,
    authenticated:
      socketAuthenticated || tokenMatches(app.config.apiToken, bearerToken(headers?.get('authorization'))),
  };
}

/** The GraphQL endpoint as a fetch handler: tests call `yoga.fetch` without opening a port. */
export function createYogaServer(app: App): Yoga {
  const relative = relativePaths(app.config);
  return createYoga<Record<string, unknown>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Expected failures keep their message and stable code; anything else is logged and masked,
    // so no SQL, stack or path reaches a client.
    maskedErrors: { maskError: maskErrorWith(relative) },
    // GraphiQL is served from the installed bundle: it works with no internet.
    renderGraphiQL: renderGraphiQLPage(app.config.apiToken !== null),
    cors: corsFor(app.config.corsOrigins),
    // useRequestBodies counts every body itself; yoga's own counter reads ahead of a slow consumer
    // (an upload waiting for the disk) and would buffer what the stream's backpressure holds back.
    maxRequestBodySize: false,
    graphiql: { title: 'bulletproof-etl', subscriptionsProtocol: 'SSE', defaultQuery: DEFAULT_QUERY },
    logging: {
      debug: (...args) => logger.debug(args.map(String).join(' ')),
      info: (...args) => logger.info(args.map(String).join(' ')),
      warn: (...args) => logger.warn(args.map(String).join(' ')),
      error: (...args) =>
        logger.error({ err: args.find((a) => a instanceof Error) }, args.map(String).join(' ')),
    },
    context: (initial) => contextFor(app, initial),
    plugins: [
      useGraphiQLCompression(),
      // Browsers send forms and text/plain cross-origin without asking: those need a header no form can set.
      // GET runs no mutation (yoga refuses them) and GraphiQL subscribes over GET: only other methods.
      skipForGet(useCSRFPrevention({ requestHeaders: CSRF_HEADERS }) as Plugin) as Plugin<GraphQLContext>,
      useRequireToken(app.config.apiToken),
      useRequestBodies(app.config),
      useRelativePaths(app.config),
      EnvelopArmorPlugin({
        maxDepth: { n: 12 },
        maxAliases: { n: 15 },
        costLimit: { maxCost: 5000 },
        maxTokens: { n: 2000 },
        maxDirectives: { n: 20 },
      }),
      useSubscriptionMetrics(app) as Plugin<GraphQLContext>,
      useRequestIdsOnErrors(),
      ...(app.config.sharedSubscriptions
        ? [useSharedSubscriptionResults(app.metrics), useCoalescedEventStreams()]
        : []),
    ],
  });
}
