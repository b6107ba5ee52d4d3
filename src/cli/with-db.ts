import pg from 'pg';

import { openDatabase } from '../app/database.ts';
import type { Config } from '../config.ts';
import { type Db, pgDb } from '../db/sql.ts';

/**
 * The database (DATABASE_URL or the embedded cluster, migrated) as a plain `Db` on a small pg pool,
 * for a command that only reads: it starts in a fraction of the time an app (TypeORM, the
 * listener) takes. Statements run in autocommit, as on the app's DataSource.
 */
export async function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const handle = await openDatabase(config);
  const pool = new pg.Pool({ connectionString: handle.url, max: 2, application_name: 'bpetl-cli' });
  pool.on('error', () => undefined); // an idle client dropped by the server: the next query reconnects
  try {
    return await fn(pgDb(pool));
  } finally {
    await pool.end();
    await handle.stop();
  }
}
