import { afterAll, beforeAll } from 'vitest';

import { createApp, type RunningApp } from '../../src/app/app.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import { createYogaServer, type Yoga } from '../../src/server/yoga.ts';
import { type TestDatabase, useTestDatabase } from './database.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface TestApp {
  readonly db: TestDatabase;
  readonly app: RunningApp;
  readonly yoga: Yoga;
  /** Runs one operation through `yoga.fetch`: the real HTTP handling, no socket. */
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
}

/** A file-scoped database plus the service wired to it, as `bpetl serve` wires it. */
export function useTestApp(overrides: Partial<Config> = {}): TestApp {
  const db = useTestDatabase();
  let state: { app: RunningApp; yoga: Yoga } | null = null;
  const get = () => {
    if (!state) throw new Error('The test app is only available inside tests and hooks');
    return state;
  };
  beforeAll(async () => {
    const config = { ...loadConfig({}), ...overrides };
    const app = await createApp(config, db.url);
    state = { app, yoga: createYogaServer(app) };
  });
  afterAll(async () => {
    await state?.app.close();
    state = null;
  });
  return {
    db,
    get app() {
      return get().app;
    },
    get yoga() {
      return get().yoga;
    },
    async graphql<T>(
      query: string,
      variables?: Record<string, unknown>,
      options: { token?: string; headers?: Record<string, string> } = {},
    ) {
      const response = await get().yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse<T>;
    },
  };
}
