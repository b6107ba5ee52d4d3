import { appendFile, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { MAX_PENDING } from '../../src/logs/entry-splitter.ts';
import { LogFollower } from '../../src/logs/follower.ts';
import { createMemoryOffsetStore } from '../../src/logs/offsets.ts';
import { scanLogs } from '../../src/logs/scanner.ts';
import type { LogProblem } from '../../src/logs/types.ts';
import { runCli } from '../helpers/cli.ts';
import { peakMemoryGrowth } from '../server/raw-http.ts';

/**
 * A line that never ends: the log readers classify its head, skip the rest as they read it (never
 * holding more than a bounded buffer), say where it started, and read the lines after it.
 */
let dir: string;
let sparse: string;
/** Where the endless line starts in `sparse`. */
let longAt: number;
const GB = 1024 * 1024 * 1024;
const line = (second: number, pid: number) =>
  `2025-08-01 10:00:0${second} UTC [${pid}] ERROR:  deadlock detected\n`;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-long-lines-'));
  sparse = path.join(dir, 'postgresql.log');
  // One ordinary line; then one that runs on for 2 GB before its newline (9 MB of text, then a
  // hole: no disk used); then one more ordinary line.
  const head = line(0, 41);
  longAt = Buffer.byteLength(head);
  await writeFile(
    sparse,
    `${head}2025-08-01 10:00:01 UTC [42] ERROR:  deadlock detected ${'x'.repeat(9 * 1024 * 1024)}`,
  );
  const fh = await open(sparse, 'r+');
  await fh.truncate(2 * GB);
  await fh.close();
  await appendFile(sparse, `\n${line(2, 43)}`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a log line that never ends', () => {
  it('scanLogs: cut at the bound, the rest skipped unheld, the lines after it read', async () => {
    let result: Awaited<ReturnType<typeof scanLogs>> | undefined;
    const growth = await peakMemoryGrowth(async () => {
      result = await scanLogs({ paths: [sparse] });
    });
    expect(result!.totals.DEADLOCK).toBe(3);
    expect(result!.problems).toContainEqual({
      file: sparse,
      reason: `1 line(s) at byte ${longAt} longer than 8 MB: each classified on its first 8 MB, the rest of the line skipped`,
    });
    // The reader holds a chunk and one bounded line (and what the collector has not freed yet),
    // never the 2 GB.
    expect(growth).toBeLessThan(16 * MAX_PENDING);
  });

  it('bpetl logs --json: exits 0 and names the file and the byte offset', async () => {
    const res = await runCli(['logs', sparse, '--json', '--no-store'], { BPETL_DATA_DIR: dir });
    expect(res.status, res.stderr).toBe(0);
    const doc = JSON.parse(res.stdout) as { totals: Record<string, number>; problems: LogProblem[] };
    expect(doc.totals.DEADLOCK).toBe(3);
    expect(doc.problems).toEqual([
      expect.objectContaining({
        file: sparse,
        reason: expect.stringContaining(`at byte ${longAt} longer than 8 MB`),
      }),
    ]);
  });

  it('a file that is one hole of zeros is skipped at once as binary, saying so', async () => {
    const hole = path.join(dir, 'hole.log');
    await writeFile(hole, '');
    const fh = await open(hole, 'r+');
    await fh.truncate(2 * GB);
    await fh.close();
    const res = await runCli(['logs', hole, '--json', '--no-store'], { BPETL_DATA_DIR: dir });
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/SOURCE_UNREADABLE: No log file could be read \(.*hole\.log: binary content/);
    await rm(hole);
  });

  it('the follower: a line still being written past the bound is cut, and reading goes on after it', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, line(0, 1));
    const problems: LogProblem[] = [];
    const seen: string[] = [];
    const follower = new LogFollower({
      paths: [log],
      store: createMemoryOffsetStore(),
      startAt: 'start',
      idleFlushMs: 0,
      onFinding: (_f, entry) => seen.push(entry.raw.slice(0, 40)),
      onProblem: (p) => problems.push(p),
    });
    try {
      await follower.poll();
      expect(seen).toHaveLength(1);
      // The writer never ends its line: 20 MB of it over several polls.
      await appendFile(log, '2025-08-01 10:00:01 UTC [2] ERROR:  deadlock detected ');
      for (let i = 0; i < 4; i++) {
        await appendFile(log, 'y'.repeat(5 * 1024 * 1024));
        await follower.poll();
      }
      await appendFile(log, `\n${line(2, 3)}`);
      await follower.poll();
      expect(seen).toEqual([
        '2025-08-01 10:00:00 UTC [1] ERROR:  dead',
        '2025-08-01 10:00:01 UTC [2] ERROR:  dead',
        '2025-08-01 10:00:02 UTC [3] ERROR:  dead',
      ]);
      expect(problems).toEqual([
        {
          file: log,
          reason: `1 line(s) at byte ${Buffer.byteLength(line(0, 1))} longer than 8 MB: each classified on its first 8 MB, the rest of the line skipped`,
        },
      ]);
    } finally {
      await follower.close();
    }
  });
});
