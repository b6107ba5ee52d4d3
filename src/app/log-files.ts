import path from 'node:path';

import type { Config } from '../config.ts';
import { CLUSTER_LOG_DIR, clusterDataDir } from '../db/embedded.ts';
import { embeddedDir } from './database.ts';

/** Where `bpetl serve` writes its own log (JSON lines), under the data directory. */
export function serverLogFile(config: Config): string {
  return path.join(config.dataDir, 'logs', 'bpetl.log');
}

/**
 * The log files bpetl writes out of the box: the server's own log and, with the embedded cluster,
 * PostgreSQL's csvlog files. `bpetl serve` follows them besides BPETL_LOG_PATHS; `bpetl logs`
 * reads them when given no paths and no BPETL_LOG_PATHS.
 */
export async function ownLogPaths(config: Config): Promise<string[]> {
  const paths = [serverLogFile(config)];
  if (config.databaseUrl === null) {
    paths.push(path.join(await clusterDataDir(embeddedDir(config)), CLUSTER_LOG_DIR, '*.csv'));
  }
  return paths;
}
