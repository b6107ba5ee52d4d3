import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { relocatedHome } from '../../src/db/embedded.ts';
import { runCli, spawnCli, waitForOutput } from '../helpers/cli.ts';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-cli-'));
  // The embedded server runs as the unprivileged postgres user when the tests run as root.
  await chmod(dir, 0o755);
  dirs.push(dir);
  return dir;
}
const children: ChildProcess[] = [];
afterAll(async () => {
  // A test that timed out never reached its own cleanup: no server may outlive the file.
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('bad configuration gives one clear line and a non-zero exit', () => {
  it('malformed DATABASE_URL', async () => {
    const result = await runCli(['migrate'], { DATABASE_URL: 'postgres//nowhere' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'error INVALID_INPUT: Invalid configuration: DATABASE_URL is not a URL (expected postgres://user@host:port/database)',
    );
  });

  it('unreachable server', async () => {
    // A port we just closed: nothing listens there.
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const result = await runCli(['migrate'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/x` });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^error DATABASE_UNAVAILABLE: Cannot connect to PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/x: .*ECONNREFUSED/m,
    );
  });

  // Only root hands the server to another user, so only then can a directory be out of its reach.
  it.skipIf(process.getuid?.() !== 0)(
    'a data directory the database user cannot reach: the cluster lives elsewhere, and says where',
    { timeout: 120_000 },
    async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-closed-'));
      dirs.push(dir);
      const dataDir = path.join(dir, 'data');
      const home = relocatedHome(path.join(dataDir, 'postgres'));
      dirs.push(home);
      const result = await runCli(['migrate'], { BPETL_DATA_DIR: dataDir, LOG_LEVEL: 'info' });
      expect(result.stderr).not.toMatch(/error /);
      expect(result.status).toBe(0);
      const said = `the embedded PostgreSQL runs as user "postgres", which cannot enter ${dir}: its cluster lives in ${path.join(home, 'pgdata')}`;
      expect(result.stdout + result.stderr).toContain(JSON.stringify(said).slice(1, -1));
      expect(existsSync(path.join(home, 'pgdata', 'PG_VERSION'))).toBe(true);
      // The directory it could not enter stays closed; the control files stay in the data directory.
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect(existsSync(path.join(dataDir, 'postgres', 'password'))).toBe(false);
    },
  );

  it('port in use, and a second serve on the same embedded cluster', { timeout: 180_000 }, async () => {
    const dataDir = await tempDir();
    const first = spawnCli(['serve'], { BPETL_DATA_DIR: dataDir, PORT: '0' });
    children.push(first);
    try {
      const out = await waitForOutput(first, /open GraphiQL at (http:\S+)/, 120_000);
      const port = /127\.0\.0\.1:(\d+)/.exec(out)![1]!;

      const second = await runCli(['serve'], { BPETL_DATA_DIR: dataDir, PORT: '0' });
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(
        /error DATABASE_UNAVAILABLE: The embedded database in .* is in use by another bpetl serve \(pid \d+\): stop it first/,
      );

      const clash = await runCli(['serve'], {
        BPETL_DATA_DIR: await tempDir(),
        PORT: port,
      });
      expect(clash.status).toBe(1);
      expect(clash.stderr).toMatch(
        new RegExp(`error INVALID_INPUT: Port ${port} on 127.0.0.1 is already in use`),
      );
    } finally {
      first.kill('SIGTERM');
      await new Promise((resolve) => first.on('close', resolve));
    }
  });

  it('bad PORT', async () => {
    const result = await runCli(['serve'], { PORT: 'http' });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'error INVALID_INPUT: Invalid configuration: PORT must be an integer between 0 and 65535, got "http"',
    );
  });
});
