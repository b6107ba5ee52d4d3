import { createClient } from 'graphql-sse';

import { getToken, markUnauthenticated, onAuthChange } from './auth.ts';

/** The console talks to the public API only: the same endpoint, documents and tokens as any script. */
const ENDPOINT = '/graphql';

interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; details?: unknown };
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

function authHeaders(token: string | null): Record<string, string> {
  return token ? { authorization: `Bearer ${token}` } : {};
}

function firstError(errors: GraphQLErrorShape[] | undefined, token: string | null): ApiError | null {
  const error = errors?.[0];
  if (!error) return null;
  const code = error.extensions?.code ?? 'INTERNAL';
  if (code === 'UNAUTHENTICATED') markUnauthenticated(token);
  return new ApiError(error.message, code, error.extensions?.details);
}

/** One query or mutation; a multipart `form` (GraphQL multipart request) carries an upload. */
export async function request<T>(
  query: string,
  variables?: Record<string, unknown>,
  form?: FormData,
): Promise<T> {
  const token = getToken();
  const response = await fetch(ENDPOINT, {
    method: 'POST',
    headers: form
      ? authHeaders(token)
      : { 'content-type': 'application/json', accept: 'application/json', ...authHeaders(token) },
    body: form ?? JSON.stringify({ query, variables }),
  });
  const json = (await response.json().catch(() => null)) as {
    data?: T;
    errors?: GraphQLErrorShape[];
  } | null;
  if (!json) throw new ApiError(`The server answered ${response.status} ${response.statusText}`, 'INTERNAL');
  const error = firstError(json.errors, token);
  if (error) throw error;
  return json.data as T;
}

/** A mutation's union result: the object itself, or an OperationError thrown as an ApiError. */
export function unwrap<T extends { __typename?: string }>(
  result: T,
): Exclude<T, { __typename: 'OperationError' }> {
  const value = result as T & { message?: string; code?: string; details?: unknown };
  if (value.__typename === 'OperationError') {
    throw new ApiError(value.message ?? 'Operation failed', value.code ?? 'INTERNAL', value.details);
  }
  return result as Exclude<T, { __typename: 'OperationError' }>;
}

/** A refused SSE subscription answers 401; the refusal is recorded against the token it carried. */
function isUnauthenticated(err: unknown, token: string | null): boolean {
  const status = (err as { response?: { status?: number } } | null)?.response?.status;
  if (status !== 401) return false;
  markUnauthenticated(token);
  return true;
}

export interface Subscription {
  close(): void;
}

interface LiveOptions<T> {
  /** Read again at every (re)subscription, so a resumed stream starts after the last event seen. */
  variables: () => Record<string, unknown>;
  next: (data: T) => void;
  /** The stream is open (true) or lost (false), for the "live" indicator. */
  status?: (live: boolean) => void;
  complete?: () => void;
  error?: (error: ApiError) => void;
}

/** Reconnect delays: quick at first, then at most every 10 s while the server is away. */
const RETRY_MS = [500, 1000, 2000, 5000, 10000];

/**
 * A subscription over SSE that survives a lost connection: it subscribes again with fresh
 * variables (its cursor), and after UNAUTHENTICATED it waits for a token to be entered.
 */
export function live<T>(query: string, options: LiveOptions<T>): Subscription {
  let closed = false;
  let attempt = 0;
  let dispose: (() => void) | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopWaiting: (() => void) | null = null;

  const retry = () => {
    options.status?.(false);
    if (closed) return;
    timer = setTimeout(start, RETRY_MS[Math.min(attempt++, RETRY_MS.length - 1)]);
  };
  const waitForToken = (sent: string | null) => {
    options.status?.(false);
    // A token entered while this request was on its way is tried at once.
    if (getToken() !== sent && getToken() !== null) return start();
    stopWaiting = onAuthChange((state) => {
      if (state.needed) return;
      stopWaiting?.();
      stopWaiting = null;
      start();
    });
  };
  const start = () => {
    if (closed) return;
    const token = getToken();
    const client = createClient({
      url: ENDPOINT,
      headers: () => authHeaders(token),
      retryAttempts: 0,
      // The stream counts as live once the server accepted it, before its first event.
      fetchFn: async (input: RequestInfo, init?: RequestInit) => {
        const response = await fetch(input, init);
        if (response.ok && init?.method === 'POST') options.status?.(true);
        return response;
      },
    });
    let refused = false;
    dispose = client.subscribe<T>(
      { query, variables: options.variables() },
      {
        next: (result) => {
          const error = firstError(result.errors as GraphQLErrorShape[] | undefined, token);
          if (error) {
            refused ||= error.code === 'UNAUTHENTICATED';
            if (refused) return;
            options.error?.(error);
            return;
          }
          attempt = 0;
          options.status?.(true);
          if (result.data) options.next(result.data as T);
        },
        error: (err: unknown) => {
          client.dispose();
          if (refused || isUnauthenticated(err, token)) waitForToken(token);
          else retry();
        },
        complete: () => {
          client.dispose();
          if (closed) return;
          if (refused) {
            waitForToken(token);
          } else if (options.complete) {
            options.status?.(false);
            options.complete();
          } else {
            retry();
          }
        },
      },
    );
  };
  start();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      stopWaiting?.();
      dispose?.();
    },
  };
}
