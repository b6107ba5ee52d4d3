import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeLeagueFeed } from '../../src/generator/index.ts';
import { spawnCli } from '../helpers/cli.ts';

// The embedded cluster is started by the command itself (no DATABASE_URL): Ctrl-C must end the
// command with the documented status (error CANCELLED, exit 1), never die of the signal (130/143)
// while the cluster stops, and the cluster must be stopped when no other process uses it.
let dir: string;
let dataDir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-interrupt-embedded-'));
  dataDir = path.join(dir, 'data');
  await writeLeagueFeed(path.join(dir, 'feed'), { seed: 'interrupt-embedded', teams: 3000 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs `bpetl <args>` on its own embedded cluster; sends `signal` once `ready` matches its output. */
async function interrupt(args: string[], signal: NodeJS.Signals, ready: RegExp) {
  const child = spawnCli(args, { BPETL_DATA_DIR: dataDir, LOG_LEVEL: 'debug' });
  let output = '';
  let stderr = '';
  let sent = false;
  const closed = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (status, sig) => resolve({ status, signal: sig })),
  );
  const watch = (chunk: Buffer) => {
    output += chunk;
    if (!sent && ready.test(output)) {
      sent = true;
      child.kill(signal);
    }
  };
  child.stdout!.on('data', watch);
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d;
    watch(d);
  });
  const result = await closed;
  expect(sent, output).toBe(true);
  return { ...result, stderr, output };
}

async function clusterStopped(): Promise<boolean> {
  const state = path.join(dataDir, 'postgres', 'cluster.json');
  if (!existsSync(state)) return true;
  const { pid } = JSON.parse(await readFile(state, 'utf8')) as { pid: number };
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('Ctrl-C when the command started the embedded cluster', () => {
  it('bpetl import: the run is cancelled, exit 1, the cluster stopped', { timeout: 240_000 }, async () => {
    const result = await interrupt(['import', path.join(dir, 'feed')], 'SIGINT', /\[import\] started/);
    expect(result.signal, result.output).toBeNull();
    expect(result.status, result.output).toBe(1);
    expect(result.stderr).toMatch(/^error CANCELLED: pipeline run \d+ was cancelled$/m);
    expect(await clusterStopped()).toBe(true);
  });

  it(
    'bpetl health, SIGTERM while it runs: error CANCELLED, exit 1, the cluster stopped',
    { timeout: 120_000 },
    async () => {
      const result = await interrupt(['health'], 'SIGTERM', /embedded PostgreSQL started/);
      expect(result.signal, result.output).toBeNull();
      expect(result.status, result.output).toBe(1);
      expect(result.stderr).toMatch(/^error CANCELLED: interrupted by SIGTERM$/m);
      // Nothing else: what failed under the stopping cluster is not reported as an error of its own.
      expect(result.stderr.match(/^error /gm)).toHaveLength(1);
      expect(await clusterStopped()).toBe(true);
    },
  );

  it('bpetl health, SIGINT as it starts: the same', { timeout: 120_000 }, async () => {
    const result = await interrupt(['health'], 'SIGINT', /./);
    expect(result.signal, result.output).toBeNull();
    expect(result.status, result.output).toBe(1);
    expect(result.stderr).toMatch(/^error CANCELLED: interrupted by SIGINT$/m);
    expect(await clusterStopped()).toBe(true);
  });
});
