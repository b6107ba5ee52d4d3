import pg from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * The one way services reach the database: anything whose `query` resolves to the rows. The
 * DataSource runs each statement on a pooled connection (autocommit); a transaction's EntityManager
 * runs them in that transaction. Writes accept an optional transaction and join it.
 */
export type Db = Pick<EntityManager, 'query'>;

/** A transaction: TypeORM's EntityManager bound to one query runner. */
export type Tx = EntityManager;

/**
 * Runs `fn` in `tx` when that is an open transaction, else in a new one on `db`: committed when
 * `fn` resolves, rolled back when it throws.
 */
export function withTransaction<T>(
  db: DataSource,
  tx: Tx | undefined,
  fn: (tx: Tx) => Promise<T>,
): Promise<T> {
  return tx?.queryRunner?.isTransactionActive ? fn(tx) : db.transaction(fn);
}

/** A transaction held open across calls (a pipeline run): ended by exactly one of its methods. */
export interface OpenTransaction {
  tx: Tx;
  commit(): Promise<void>;
  /** Never throws: a failed rollback is logged by the caller's `onError` and the connection released. */
  rollback(): Promise<void>;
}

/** Opens a transaction on its own connection, for work that outlives the call that starts it. */
export async function openTransaction(
  db: DataSource,
  onError: (err: unknown) => void = () => undefined,
): Promise<OpenTransaction> {
  const runner = db.createQueryRunner();
  try {
    await runner.connect();
    await runner.startTransaction();
  } catch (err) {
    await release(runner);
    throw err;
  }
  return {
    tx: runner.manager,
    async commit() {
      try {
        await runner.commitTransaction();
      } finally {
        await release(runner);
      }
    },
    async rollback() {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(onError);
      await release(runner);
    },
  };
}

async function release(runner: QueryRunner): Promise<void> {
  if (!runner.isReleased) await runner.release().catch(() => undefined);
}

/**
 * The pg client under an open transaction, for what TypeORM's `query` cannot do: COPY, row counts
 * of DML, `pg`-level helpers that take a client.
 */
export async function pgClientOf(tx: Tx): Promise<pg.PoolClient> {
  const runner = tx.queryRunner;
  if (!runner?.isTransactionActive) throw new Error('pgClientOf needs a transaction');
  return (await runner.connect()) as pg.PoolClient;
}

/** The DataSource's pg pool: TypeORM's postgres driver keeps it as `driver.master`. */
export function pgPool(db: DataSource): pg.Pool {
  const pool = (db.driver as unknown as { master?: unknown }).master;
  if (!(pool instanceof pg.Pool)) throw new Error('The DataSource has no pg pool (not initialised?)');
  return pool;
}

/** A pg pool or client as a `Db`: `query` resolves to the rows, as TypeORM's does. */
export function pgDb(client: pg.Pool | pg.ClientBase): Db {
  const query = async (sql: string, parameters?: unknown[]) => (await client.query(sql, parameters)).rows;
  return { query } as unknown as Db;
}

/**
 * Runs `fn` in a transaction on one client of `pool` (no TypeORM: for commands that start in
 * milliseconds, and for COPY): committed when `fn` resolves, rolled back when it throws.
 */
export async function withPgClientTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** The same, with the client as the services' `Db`. */
export function withPgTransaction<T>(pool: pg.Pool, fn: (tx: Db) => Promise<T>): Promise<T> {
  return withPgClientTransaction(pool, (client) => fn(pgDb(client)));
}

/**
 * The settings of the DataSource's connections, for a connection of a service's own (a session
 * lock must stay on one connection, which a pool does not promise).
 */
export function connectionSettings(db: DataSource): pg.ClientConfig {
  const { connectionString, host, port, user, password, database, ssl } = pgPool(db).options;
  return { connectionString, host, port, user, password, database, ssl };
}

/**
 * Double-quotes an identifier. Identifiers only ever come from code or the protection spec (which
 * only migrations write), never from input.
 */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
