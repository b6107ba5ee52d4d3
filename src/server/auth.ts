import { createHash, timingSafeEqual } from 'node:crypto';

import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

import type { GraphQLContext } from '../schema/context.ts';

/** Constant-time comparison of a presented credential with the configured token. */
export function tokenMatches(expected: string | null, presented: string | null | undefined): boolean {
  if (expected === null) return true;
  if (!presented) return false;
  // Hashing first gives equal lengths, so timingSafeEqual never leaks the token's length.
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}

/** The token from `Authorization: Bearer <token>`. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

export function unauthenticated(): GraphQLError {
  return new GraphQLError('Authentication required: send Authorization: Bearer <BPETL_API_TOKEN>', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

/**
 * With a token set, every operation needs it: queries read user data and log lines too. HTTP
 * requests are refused before their body is parsed; graphql-ws sockets when they connect.
 */
export function useRequireToken(apiToken: string | null): Plugin<GraphQLContext> {
  return {
    onRequestParse({ request }) {
      if (!tokenMatches(apiToken, bearerToken(request.headers.get('authorization')))) throw unauthenticated();
    },
    onExecute({ args }) {
      if (!args.contextValue.authenticated) throw unauthenticated();
    },
    onSubscribe({ args }) {
      if (!args.contextValue.authenticated) throw unauthenticated();
    },
  };
}

/**
 * Whether a graphql-ws client's connection params (`{ Authorization: "Bearer …" }` or `{ token }`)
 * carry the configured token. A value that is not a string never does, token or not.
 */
export function connectionAuthorized(
  expected: string | null,
  params: Record<string, unknown> | undefined,
): boolean {
  const header = params?.Authorization ?? params?.authorization;
  const token = params?.token;
  if (
    (header !== undefined && typeof header !== 'string') ||
    (token !== undefined && typeof token !== 'string')
  ) {
    return false;
  }
  return tokenMatches(expected, bearerToken(header) ?? token);
}
