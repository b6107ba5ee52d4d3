import { appendFile, copyFile, mkdtemp, rename, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LogFollower } from '../../src/logs/follower.ts';
import { createFileOffsetStore, createMemoryOffsetStore, type OffsetStore } from '../../src/logs/offsets.ts';
import type { LogProblem } from '../../src/logs/types.ts';

let dir: string;
let seen: number[];
let problems: LogProblem[];
const followers: LogFollower[] = [];

/** One pino error line per number: every line is a finding, and its number says which line it was. */
function lines(from: number, to: number): string {
  let out = '';
  for (let n = from; n < to; n++) {
    out += `{"level":50,"time":${1754474400000 + n},"msg":"orphan poll ${n} found"}\n`;
  }
  return out;
}

function follower(store: OffsetStore, paths = [path.join(dir, 'app.log')]): LogFollower {
  const f = new LogFollower({
    paths,
    store,
    startAt: 'start',
    idleFlushMs: 0,
    onFinding: (_finding, entry) => seen.push(Number(/poll (\d+)/.exec(entry.message)![1])),
    onProblem: (p) => problems.push(p),
  });
  followers.push(f);
  return f;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-follow-'));
  seen = [];
  problems = [];
});

afterEach(async () => {
  for (const f of followers.splice(0)) await f.close();
  await rm(dir, { recursive: true, force: true });
});

describe('LogFollower', () => {
  it('reads what a file gains, and a partial last line only once it is complete', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, lines(0, 3));
    const f = follower(createMemoryOffsetStore());
    await f.poll();
    const half = lines(3, 4);
    await appendFile(log, half.slice(0, 20));
    await f.poll();
    expect(seen).toEqual(range(0, 3));
    await appendFile(log, half.slice(20) + lines(4, 6));
    await f.poll();
    await f.poll();
    expect(seen).toEqual(range(0, 6));
  });

  it('survives rotation by rename: the rest of the old file, then the new one', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, lines(0, 10));
    const f = follower(createMemoryOffsetStore());
    await f.poll();
    await appendFile(log, lines(10, 15)); // written after the last poll, before the rename
    await rename(log, `${log}.1`);
    await writeFile(log, lines(15, 20));
    await f.poll();
    await appendFile(log, lines(20, 22));
    await f.poll();
    expect(seen).toEqual(range(0, 22));
  });

  it('survives copytruncate, also when the file grew past the old offset before the next poll', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, lines(0, 10));
    const f = follower(createMemoryOffsetStore());
    await f.poll();
    await copyFile(log, `${log}.1`);
    await truncate(log, 0);
    await appendFile(log, lines(10, 12)); // shorter than before
    await f.poll();
    await copyFile(log, `${log}.1`);
    await truncate(log, 0);
    await appendFile(log, lines(100, 130)); // longer than before: only the content shows the truncation
    await f.poll();
    expect(seen).toEqual([...range(0, 12), ...range(100, 130)]);
  });

  it('resumes after a restart mid-file from the saved offsets, losing and repeating nothing', async () => {
    const log = path.join(dir, 'app.log');
    const offsets = path.join(dir, 'offsets.json');
    await writeFile(log, lines(0, 7));
    const first = follower(createFileOffsetStore(offsets));
    await first.poll();
    await first.close();
    await appendFile(log, lines(7, 12));
    const second = follower(createFileOffsetStore(offsets));
    await second.poll();
    expect(seen).toEqual(range(0, 12));
  });

  it('picks up new files matching the glob from their start; existing ones from the end by default', async () => {
    await writeFile(path.join(dir, 'a.log'), lines(0, 3));
    const f = new LogFollower({
      paths: [path.join(dir, '*.log')],
      store: createMemoryOffsetStore(),
      idleFlushMs: 0,
      onFinding: (_finding, entry) => seen.push(Number(/poll (\d+)/.exec(entry.message)![1])),
    });
    followers.push(f);
    await f.poll();
    await appendFile(path.join(dir, 'a.log'), lines(3, 4));
    await writeFile(path.join(dir, 'b.log'), lines(50, 53));
    await f.poll();
    expect(seen.sort((x, y) => x - y)).toEqual([3, 50, 51, 52]);
  });

  // The real store failing mid-commit (findings and offsets in one transaction): test/services/logs/findings.test.ts.
  it('delivers a batch again after its commit failed, and only once', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, lines(0, 4));
    const memory = createMemoryOffsetStore();
    let fail = true;
    const store: OffsetStore = {
      load: () => memory.load(),
      commit: (batch) => {
        if (fail) return Promise.reject(new Error('database is down'));
        return memory.commit(batch);
      },
    };
    const f = follower(store);
    await expect(f.poll()).rejects.toThrow('database is down');
    expect(seen).toEqual([]);
    fail = false;
    await f.poll();
    await f.poll();
    expect(seen).toEqual(range(0, 4));
  });

  it('counts a multi-line entry once even when its continuation arrives in a later poll', async () => {
    const log = path.join(dir, 'pg.log');
    const f = new LogFollower({
      paths: [log],
      store: createMemoryOffsetStore(),
      startAt: 'start',
      idleFlushMs: 60_000,
      onFinding: (finding) => seen.push(finding.count),
    });
    followers.push(f);
    await writeFile(
      log,
      '2025-08-06 10:00:00 UTC [1] ERROR:  duplicate key value violates unique constraint "t_pkey"\n',
    );
    await f.poll();
    await appendFile(log, '2025-08-06 10:00:00 UTC [1] DETAIL:  Key (id)=(1) already exists.\n');
    await f.poll();
    expect(seen).toEqual([]);
    await appendFile(log, '2025-08-06 10:00:01 UTC [2] LOG:  checkpoint starting: time\n');
    await f.poll();
    expect(seen).toEqual([1]);
  });

  it('reports garbage written into a followed file and keeps going', async () => {
    const log = path.join(dir, 'app.log');
    await writeFile(log, lines(0, 50));
    const f = follower(createMemoryOffsetStore());
    await f.poll();
    await appendFile(
      log,
      Buffer.concat([Buffer.from('\0\0\0\0 garbage \x01\x02\n'), Buffer.from(lines(50, 52))]),
    );
    await f.poll();
    expect(seen).toEqual(range(0, 52));
    expect(problems).toEqual([{ file: log, reason: '1 line(s) of binary content skipped' }]);
  });
});
