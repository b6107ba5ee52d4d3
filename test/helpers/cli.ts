import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = path.join(ROOT, 'src/cli/main.ts');

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `bpetl <args>` as a real process, as an operator would run it. The test run's own
 * DATABASE_URL is not passed on: a command talks to the database its test names, never by accident
 * to the server the suite runs against.
 */
export function spawnCli(args: string[], env: Record<string, string | undefined> = {}): ChildProcess {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: undefined,
    LOG_LEVEL: 'warn',
    ...env,
  };
  const childEnv = Object.fromEntries(
    Object.entries(merged).filter(([, v]) => v !== undefined),
  ) as NodeJS.ProcessEnv;
  // node itself, with tsx as a loader: a signal sent to the child reaches the CLI, not a wrapper.
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs `bpetl <args>` to completion. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  return new Promise((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })),
  );
}

/** Resolves with everything printed so far once `pattern` appears on stdout. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}; stderr: ${err}`)),
      timeoutMs,
    );
    child.stdout!.on('data', (d) => {
      out += d;
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before printing ${pattern}; stderr: ${err}`));
    });
  });
}
