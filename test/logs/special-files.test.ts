import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { scanLogs } from '../../src/logs/scanner.ts';
import { runCli } from '../helpers/cli.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-log-special-'));
  await writeFile(path.join(dir, 'app.log'), '2025-08-01 10:00:00 UTC [42] ERROR:  deadlock detected\n');
  // A FIFO with no writer: opening it for reading would wait forever.
  execFileSync('mkfifo', [path.join(dir, 'pipe.log')]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('log files that are not regular files', () => {
  it('a FIFO in a directory is skipped and reported; the other files are scanned', async () => {
    const result = await scanLogs({ paths: [dir] });
    expect(result.files.map((f) => path.basename(f.file))).toEqual(['app.log']);
    expect(result.totals.DEADLOCK).toBe(1);
    expect(result.problems).toEqual([
      { file: path.join(dir, 'pipe.log'), reason: 'a FIFO, not a regular file: skipped' },
    ]);
  });

  it('bpetl logs on a FIFO or a device alone: SOURCE_UNREADABLE, no hang', async () => {
    for (const target of [path.join(dir, 'pipe.log'), '/dev/zero']) {
      const res = await runCli(['logs', target, '--json'], { BPETL_DATA_DIR: dir });
      expect(res.status, res.stderr).toBe(1);
      expect(res.stderr).toMatch(/error SOURCE_UNREADABLE: No log file could be read/);
      expect(res.stderr).toMatch(/not a regular file/);
    }
  });
});
