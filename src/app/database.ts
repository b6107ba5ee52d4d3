import path from 'node:path';

import pg from 'pg';

import type { Config } from '../config.ts';
import { type ClusterRole, runningCluster, startEmbeddedPostgres } from '../db/embedded.ts';
import { redactUrl, withDatabase } from '../db/url.ts';
import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import { migrate } from './migrate.ts';

export interface DatabaseHandle {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'bpetl';

/** The control directory of the embedded cluster (`cluster.json`, its lock, and usually its files). */
export function embeddedDir(config: Config): string {
  return path.join(config.dataDir, 'postgres');
}

/**
 * The URL of the database bpetl uses: DATABASE_URL, else the embedded cluster's when it is running
 * (null when it is not: nothing is started).
 */
export async function currentDatabaseUrl(config: Config): Promise<string | null> {
  if (config.databaseUrl) return config.databaseUrl;
  const running = await runningCluster(embeddedDir(config));
  return running === null ? null : withDatabase(running.url, EMBEDDED_DATABASE);
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) {
      // Two processes joining a fresh cluster at once: the second one's create finds it made.
      await client.query(`create database ${name}`).catch((err: { code?: string }) => {
        if (err.code !== '42P04' && err.code !== '23505') throw err;
      });
    }
  } finally {
    await client.end();
  }
}

async function checkReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (err) {
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      `Cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message || (err as NodeJS.ErrnoException).code}`,
      {},
      { cause: err },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * DATABASE_URL when set, else the embedded cluster under the data directory (joined when another
 * bpetl process runs it, else started, and stopped again by the last process to leave it); migrated
 * either way. `role: 'serve'` refuses an embedded cluster another server already uses.
 */
export async function openDatabase(
  config: Config,
  options: { migrate?: boolean; role?: ClusterRole } = {},
): Promise<DatabaseHandle> {
  let handle: DatabaseHandle;
  if (config.databaseUrl) {
    await checkReachable(config.databaseUrl);
    handle = { url: config.databaseUrl, embedded: false, stop: async () => undefined };
  } else {
    const embedded = await startEmbeddedPostgres(embeddedDir(config), { role: options.role ?? 'command' });
    try {
      await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
    } catch (err) {
      await embedded.stop();
      throw err;
    }
    handle = {
      url: withDatabase(embedded.url, EMBEDDED_DATABASE),
      embedded: true,
      stop: () => embedded.stop(),
    };
  }
  if (options.migrate ?? true) {
    try {
      const applied = await migrate(handle.url);
      if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    } catch (err) {
      await handle.stop();
      throw err;
    }
  }
  return handle;
}
