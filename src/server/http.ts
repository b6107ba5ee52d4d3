import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type execute, type ExecutionArgs, GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

import type { App } from '../app/app.ts';
import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import { connectionAuthorized } from './auth.ts';
import { withConsole } from './console.ts';
import { withMetricsEndpoint } from './metrics.ts';
import { withProbes } from './probes.ts';
import { createYogaServer, type Yoga } from './yoga.ts';

export interface HttpServer {
  url: string;
  port: number;
  yoga: Yoga;
  server: Server;
  close(): Promise<void>;
}

type OperationResult = ReturnType<typeof execute>;
type EnvelopedArgs = ExecutionArgs & {
  rootValue: {
    execute: (args: ExecutionArgs) => OperationResult;
    subscribe: (args: ExecutionArgs) => OperationResult;
  };
};

/** Operations one graphql-ws connection may have open at once. */
export const MAX_OPERATIONS_PER_SOCKET = 100;
/** Largest graphql-ws message: ws closes the socket with 1009 past it, before buffering more. */
export const MAX_WS_MESSAGE_BYTES = 1024 * 1024;
/** graphql-ws's own code for a refused connection; clients such as `bpetl watch` stop retrying on it. */
const FORBIDDEN = 4403;

/** Listens on the port, refusing one in use with an error that says what to do. */
function listen(server: Server, options: { port: number; host: string }): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new AppError(
              'INVALID_INPUT',
              `Port ${options.port} on ${options.host} is already in use; set PORT to another port`,
            )
          : err,
      ),
    );
    server.listen(options.port, options.host, () => resolve());
  });
}

/** graphql-ws on the HTTP server's `/graphql` path, through the same envelop (plugins, limits) as yoga. */
function serveGraphqlWs(app: App, yoga: Yoga, server: Server) {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: MAX_WS_MESSAGE_BYTES });
  const wsServer = useServer(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args),
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args),
      onConnect: (ctx) => {
        if (connectionAuthorized(app.config.apiToken, ctx.connectionParams)) return true;
        // Closed before any operation runs, with the code clients know and a reason that says why.
        ctx.extra.socket.close(
          FORBIDDEN,
          'UNAUTHENTICATED: send { "Authorization": "Bearer <BPETL_API_TOKEN>" } as connection params',
        );
        return false;
      },
      onSubscribe: async (ctx, _id, payload) => {
        // One socket may not hold the server's resources hostage with thousands of operations.
        // The operation being subscribed is already registered in ctx.subscriptions.
        if (Object.keys(ctx.subscriptions).length > MAX_OPERATIONS_PER_SOCKET) {
          return [
            new GraphQLError(
              `Too many operations on this connection (limit ${MAX_OPERATIONS_PER_SOCKET}); open another connection or complete some`,
              { extensions: { code: 'INVALID_INPUT' } },
            ),
          ];
        }
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params: payload,
          // onConnect already checked the token carried in the connection params.
          socketAuthenticated: true,
        });
        const document = parse(payload.query);
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const contextValue = await contextFactory();
        return {
          schema,
          operationName: payload.operationName,
          document,
          variableValues: payload.variables,
          contextValue,
          rootValue: { execute, subscribe },
        };
      },
    },
    wss,
  );
  return { wss, wsServer };
}

/** Serves yoga over HTTP (queries, mutations, SSE) and graphql-ws on the same `/graphql` path. */
export async function startHttpServer(
  app: App,
  options: { port: number; host: string },
): Promise<HttpServer> {
  const yoga = createYogaServer(app);
  const server = createServer(withProbes(app, withConsole(withMetricsEndpoint(app, yoga))));
  await listen(server, options);
  // The socket server attaches only once the port is ours, so a port in use fails in one place.
  const { wss, wsServer } = serveGraphqlWs(app, yoga, server);

  const port = (server.address() as AddressInfo).port;
  const url = `http://${options.host === '0.0.0.0' ? 'localhost' : options.host}:${port}${yoga.graphqlEndpoint}`;
  logger.debug({ url }, 'HTTP server listening');
  return {
    url,
    port,
    yoga,
    server,
    async close() {
      await wsServer.dispose();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
