import 'reflect-metadata';

import { DataSource } from 'typeorm';

import { entities } from '../entities/index.ts';
import { AppError, sqlState } from '../errors.ts';
import { logger } from '../logger.ts';
import { pgPool } from './sql.ts';
import { redactUrl } from './url.ts';

/** The one pool of the process. Schema changes only ever come from migrations. */
export async function openDataSource(url: string, options: { poolSize?: number } = {}): Promise<DataSource> {
  const dataSource = new DataSource({
    type: 'postgres',
    url,
    entities,
    synchronize: false,
    migrationsRun: false,
    logging: false,
    poolSize: options.poolSize ?? 10,
    extra: {
      connectionTimeoutMillis: 10_000,
      application_name: 'bpetl',
      // An import's staging tables are temporary; with the default 8 MB of buffers for them every
      // statement over 100,000 staged rows reads and writes its pages through the kernel. The
      // setting is a ceiling, taken only by sessions that use temporary tables, and can only be set
      // before a session first touches one: so here, for every connection.
      options: '-c temp_buffers=256MB',
    },
  });
  try {
    await dataSource.initialize();
  } catch (err) {
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      `Cannot connect to PostgreSQL at ${redactUrl(url)}: ${(err as Error).message}`,
      {},
      { cause: err },
    );
  }
  // Idle pooled clients can emit errors (server restart); without a listener they crash the process.
  pgPool(dataSource).on('error', (err) => {
    // 57P01: the server is shutting down (as the embedded one does on SIGINT); the pool reconnects.
    if (sqlState(err) === '57P01') logger.debug('idle database connection closed by server shutdown');
    else {
      logger.warn({ err: { message: err.message, code: sqlState(err) } }, 'idle database connection failed');
    }
  });
  return dataSource;
}
