import { createHash, timingSafeEqual } from 'node:crypto';

import { getOperationAST, GraphQLError } from 'graphql';
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

/** The token from `Authorization: Bearer <token>` (HTTP) or `{ Authorization }` / `{ token }` (graphql-ws). */
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

/** Mutations and subscriptions change data or hold resources: they need the token when one is set. */
export function useRequireTokenForWrites(): Plugin<GraphQLContext> {
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName)?.operation;
      if (operation === 'mutation' && !args.contextValue.authenticated) throw unauthenticated();
    },
    onSubscribe({ args }) {
      if (!args.contextValue.authenticated) throw unauthenticated();
    },
  };
}
