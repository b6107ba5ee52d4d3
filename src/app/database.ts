import path from 'node:path';

import pg from 'pg';

import type { Config } from '../config.ts';
import { startEmbeddedPostgres } from '../db/embedded.ts';
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

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database ${name}`);
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

/** DATABASE_URL when set, else the embedded cluster under the data directory; migrated either way. */
export async function openDatabase(
  config: Config,
  options: { migrate?: boolean } = {},
): Promise<DatabaseHandle> {
  let handle: DatabaseHandle;
  if (config.databaseUrl) {
    await checkReachable(config.databaseUrl);
    handle = { url: config.databaseUrl, embedded: false, stop: async () => undefined };
  } else {
    const embedded = await startEmbeddedPostgres(path.join(config.dataDir, 'postgres'));
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
