import type { ChildProcess } from 'node:child_process';

import { spawnCli } from '../../helpers/cli.ts';

/** 2025-08-06T10:00:00Z: entry n is written n seconds later, so its time says which line it was. */
export const T0 = 1754474400000;

/** One pino error line per n; each is an ORPHAN_INDICATOR occurrence of one fingerprint. */
export function orphanLines(from: number, to: number): string {
  let out = '';
  for (let n = from; n < to; n++) {
    out += `{"level":50,"time":${T0 + n * 1000},"msg":"orphan poll ${n} found"}\n`;
  }
  return out;
}

/** The line number an entry of orphanLines had, from a finding's lastSeen. */
export function lineOf(iso: string): number {
  return (Date.parse(iso) - T0) / 1000;
}

export async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A CLI process whose output is collected as it comes. */
export function startCli(args: string[], env: Record<string, string | undefined>) {
  const child: ChildProcess = spawnCli(args, env);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    out,
    exited,
    /** stdout lines so far, complete ones only. */
    lines: () => out.stdout.split('\n').slice(0, -1),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      child.kill(signal);
      return exited;
    },
    waitForStderr: (pattern: RegExp) =>
      until(() => {
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${out.stderr}`);
        return pattern.test(out.stderr);
      }, `${pattern} on stderr`),
  };
}
