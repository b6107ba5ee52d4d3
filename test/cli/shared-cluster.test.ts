import type { ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

import type { ClusterState } from '../../src/db/embedded.ts';
import { runCli, spawnCli, waitForOutput } from '../helpers/cli.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-shared-'));
  // The embedded server runs as the unprivileged postgres user when the tests run as root.
  await chmod(dir, 0o755);
  dirs.push(dir);
  return dir;
}
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function readState(dataDir: string): Promise<ClusterState | null> {
  try {
    return JSON.parse(await readFile(path.join(dataDir, 'postgres/cluster.json'), 'utf8')) as ClusterState;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function currentDatabase(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query<{ db: string }>('select current_database() as db')).rows[0]!.db;
  } finally {
    await client.end();
  }
}

function stopped(child: ChildProcess): Promise<unknown> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.on('close', resolve));
}

function waitForStderr(child: ChildProcess, pattern: RegExp, timeoutMs = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; stderr: ${err}`)),
      timeoutMs,
    );
    child.stderr!.on('data', (d) => {
      err += d;
      if (pattern.test(err)) {
        clearTimeout(timer);
        resolve(err);
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing ${pattern}; stderr: ${err}`));
    });
  });
}

describe('the CLI beside a server on the embedded cluster', () => {
  it('joins the running cluster, and leaves it running for the server', { timeout: 240_000 }, async () => {
    const dataDir = await tempDir();
    const env = { BPETL_DATA_DIR: dataDir, PORT: '0' };
    const server = spawnCli(['serve'], env);
    children.push(server);
    await waitForOutput(server, /open GraphiQL at http:\S+/, 180_000);

    const state = (await readState(dataDir))!;
    expect(state.users.map((u) => u.role)).toEqual(['serve']);
    expect((await stat(path.join(dataDir, 'postgres/cluster.json'))).mode & 0o777).toBe(0o600);

    const url = await runCli(['db', 'url'], env);
    expect(url.stderr).toBe('');
    expect(url.status).toBe(0);
    expect(url.stdout.trim()).toMatch(
      new RegExp(`^postgres://postgres:[^@]+@127\\.0\\.0\\.1:${state.port}/bpetl$`),
    );
    expect(await currentDatabase(url.stdout.trim())).toBe('bpetl');

    // Logs out of the box: PostgreSQL's csvlog and the server's own log, followed by the server
    // (logFindings fills with no setup) and read by `bpetl logs` given no paths.
    const client = new pg.Client({ connectionString: url.stdout.trim() });
    await client.connect();
    try {
      await client
        .query(`insert into teams (club_id, series_id, league_id, team_name) values (-1, -1, -1, 'x')`)
        .catch(() => undefined);
      const deadline = Date.now() + 60_000;
      let found = 0;
      while (found === 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        const { rows } = await client.query<{ n: number }>(
          `select count(*)::int as n from bpetl.log_findings where category = 'CONSTRAINT_VIOLATION'`,
        );
        found = rows[0]!.n;
      }
      expect(found).toBe(1);
    } finally {
      await client.end();
    }
    const serverLog = await readFile(path.join(dataDir, 'logs/bpetl.log'), 'utf8');
    expect(JSON.parse(serverLog.split('\n')[0]!)).toMatchObject({ service: 'bpetl' });
    const logs = await runCli(['logs', '--json', '--no-store'], env);
    expect(logs.status).toBe(0);
    expect(JSON.parse(logs.stdout).totals.CONSTRAINT_VIOLATION).toBeGreaterThanOrEqual(1);

    const health = await runCli(['health', '--json'], env);
    expect(health.stderr).not.toMatch(/error /);
    expect(JSON.parse(health.stdout)).toHaveProperty('score');

    // The command left; the server's cluster did not go with it.
    const after = (await readState(dataDir))!;
    expect(after.pid).toBe(state.pid);
    expect(after.users.map((u) => u.role)).toEqual(['serve']);
    expect(await currentDatabase(url.stdout.trim())).toBe('bpetl');

    server.kill('SIGTERM');
    await stopped(server);
    expect(await readState(dataDir)).toBeNull();
    expect(alive(state.pid)).toBe(false);

    const none = await runCli(['db', 'url'], env);
    expect(none.status).toBe(1);
    expect(none.stderr.trim()).toBe(
      `error DATABASE_UNAVAILABLE: The embedded database in ${path.join(dataDir, 'postgres')} is not running: start \`bpetl serve\` (the cluster runs while any bpetl process uses it), or set DATABASE_URL`,
    );
  });

  it(
    'a command that started the cluster stops it, unless a server joined meanwhile',
    { timeout: 240_000 },
    async () => {
      const dataDir = await tempDir();
      const env = { BPETL_DATA_DIR: dataDir, PORT: '0' };

      const once = await runCli(['migrate'], env);
      expect(once.status).toBe(0);
      expect(await readState(dataDir)).toBeNull();

      // A long-running command starts the cluster; a server joins; the command ends.
      const log = path.join(dataDir, 'app.log');
      await writeFile(log, '');
      const watcher = spawnCli(['logs', '--watch', '--store', log], env);
      children.push(watcher);
      await waitForStderr(watcher, /following /);
      const state = (await readState(dataDir))!;
      expect(state.users.map((u) => u.role)).toEqual(['command']);

      const server = spawnCli(['serve'], env);
      children.push(server);
      await waitForOutput(server, /open GraphiQL at http:\S+/, 180_000);
      expect((await readState(dataDir))!.users.map((u) => u.role)).toEqual(['command', 'serve']);

      watcher.kill('SIGTERM');
      await stopped(watcher);
      const left = (await readState(dataDir))!;
      expect(left.pid).toBe(state.pid);
      expect(left.users.map((u) => u.role)).toEqual(['serve']);
      expect(alive(state.pid)).toBe(true);

      server.kill('SIGTERM');
      await stopped(server);
      expect(await readState(dataDir)).toBeNull();
      expect(alive(state.pid)).toBe(false);
    },
  );
});
