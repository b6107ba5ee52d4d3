import type { YogaServerOptions } from 'graphql-yoga';

/** Headers that mark a request as sent by a GraphQL client (a browser form cannot add them). */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'graphql-require-preflight'];

type CorsOption = YogaServerOptions<Record<string, unknown>, Record<string, unknown>>['cors'];

/**
 * CORS answers only the origins in BPETL_CORS_ORIGINS; for any other origin no Access-Control
 * header is sent, so a browser keeps the response from the page. (An empty origin list in yoga's
 * own options would mean "every origin".)
 */
export function corsFor(origins: readonly string[]): CorsOption {
  const allowed = new Set(origins);
  return (request: Request) => {
    const origin = request.headers.get('origin');
    if (!origin || !allowed.has(origin)) return false;
    return {
      origin: [origin],
      credentials: true,
      methods: ['GET', 'POST'],
      allowedHeaders: ['content-type', 'authorization', 'x-request-id', ...CSRF_HEADERS],
    };
  };
}
