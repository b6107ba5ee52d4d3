import { randomBytes } from 'node:crypto';

import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';

import { type Db, pgDb, withPgTransaction } from '../../src/db/sql.ts';
import { withDatabase } from '../../src/db/url.ts';

export interface TestDatabase {
  /** URL of this file's own database; valid inside tests and hooks. */
  readonly url: string;
  readonly name: string;
  /** A pool on this file's database, closed after the file. */
  readonly pool: pg.Pool;
  /** The pool as the services' `Db` (autocommit). */
  readonly sql: Db;
  /** Runs `fn` in a transaction on one of the pool's clients. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Runs one statement and returns its rows. */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
}

/** Creates a database cloned from the migrated template, outside vitest's hooks. */
export async function cloneTemplate(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const adminUrl = inject('adminUrl');
  const template = inject('templateDatabase');
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl, name),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Gives the calling test file its own migrated database for all of its tests. */
export function useTestDatabase(): TestDatabase {
  let state: { url: string; name: string; pool: pg.Pool; drop(): Promise<void> } | null = null;
  const get = () => {
    if (!state) throw new Error('The test database is only available inside tests and hooks');
    return state;
  };
  beforeAll(async () => {
    const clone = await cloneTemplate();
    const pool = new pg.Pool({ connectionString: clone.url, max: 5 });
    pool.on('error', () => undefined);
    state = { ...clone, pool };
  });
  afterAll(async () => {
    if (!state) return;
    await state.pool.end();
    await state.drop();
    state = null;
  });
  return {
    get url() {
      return get().url;
    },
    get name() {
      return get().name;
    },
    get pool() {
      return get().pool;
    },
    get sql() {
      return pgDb(get().pool);
    },
    transaction(fn) {
      return withPgTransaction(get().pool, fn);
    },
    async query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]) {
      return (await get().pool.query<R>(sql, params)).rows;
    },
  };
}
