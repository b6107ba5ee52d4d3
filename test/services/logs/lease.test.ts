import { appendFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { LogFollower } from '../../../src/logs/follower.ts';
import { listLogFindings, loadLogOffsets } from '../../../src/services/logs/findings.ts';
import { createLeasedPgOffsetStore, type LeasedOffsetStore } from '../../../src/services/logs/lease.ts';
import { useTestDatabase } from '../../helpers/database.ts';

const db = useTestDatabase();
let dir: string;
const stores: LeasedOffsetStore[] = [];
const followers: LogFollower[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-lease-'));
});

afterEach(async () => {
  for (const f of followers.splice(0)) await f.close();
  for (const s of stores.splice(0)) await s.close();
  await db.query('truncate bpetl.log_findings, bpetl.log_offsets, bpetl.log_finding_hits');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function store(name: string): LeasedOffsetStore {
  const s = createLeasedPgOffsetStore(
    { connectionString: db.url },
    { applicationName: name, thresholds: {} },
  );
  stores.push(s);
  return s;
}

function follower(paths: string[], s: LeasedOffsetStore): LogFollower {
  const f = new LogFollower({ paths, store: s, startAt: 'start', idleFlushMs: 0 });
  followers.push(f);
  return f;
}

async function key(file: string): Promise<string> {
  const st = await stat(file, { bigint: true });
  return `${st.dev}:${st.ino}`;
}

const orphan = (n: string) => `{"level":50,"time":1754474400000,"msg":"orphan poll ${n} left"}\n`;

async function total(): Promise<number> {
  return (await listLogFindings(db.sql, { first: 500 })).reduce((s, f) => s + f.count, 0);
}

describe('leased offset store', () => {
  it('gives each file to one store at a time, and to the next once the first lets go', async () => {
    const a = store('lease-a');
    const b = store('lease-b');
    const first = await a.claim(['1:1', '1:2']);
    expect([...first.held].sort()).toEqual(['1:1', '1:2']);
    expect([...first.taken].sort()).toEqual(['1:1', '1:2']);
    expect((await a.claim(['1:1', '1:2'])).taken).toEqual([]);
    expect([...(await b.claim(['1:1', '1:2', '1:3'])).held]).toEqual(['1:3']);
    await a.release(['1:2']);
    expect([...(await b.claim(['1:1', '1:2'])).held].sort()).toEqual(['1:2', '1:3']);
    await a.close();
    const after = await b.claim(['1:1']);
    expect(after.taken).toEqual(['1:1']);
    expect([...after.held].sort()).toEqual(['1:1', '1:2', '1:3']);
  });

  it('hands over a file with the offset its last holder committed', async () => {
    const file = path.join(dir, 'handover.log');
    await writeFile(file, orphan('alpha') + orphan('bravo'));
    const a = store('lease-a');
    await follower([file], a).poll();
    const b = store('lease-b');
    const fb = follower([file], b);
    await fb.poll(); // a holds the file: b reads nothing
    expect(await total()).toBe(2);
    await appendFile(file, orphan('charlie'));
    await a.close(); // a dies before reading charlie
    await fb.poll();
    expect(await total()).toBe(3);
    const claim = await b.claim([await key(file)]);
    expect(claim.held.has(await key(file))).toBe(true);
    expect(await loadLogOffsets(db.sql)).toEqual([
      expect.objectContaining({
        path: file,
        offset: Buffer.byteLength(orphan('alpha') + orphan('bravo') + orphan('charlie')),
      }),
    ]);
  });

  it('commits nothing on a lost connection, and takes its files again on the next claim', async () => {
    const s = store('lease-lost');
    expect((await s.claim(['7:7'])).taken).toEqual(['7:7']);
    await db.query(
      `select pg_terminate_backend(pid, 5000) from pg_stat_activity where application_name = 'lease-lost'`,
    );
    const batch = {
      findings: [],
      entries: [],
      offsets: [{ dev: '7', ino: '7', path: '/lost.log', offset: 5 }],
    };
    await expect(s.commit(batch)).rejects.toThrow();
    expect(await loadLogOffsets(db.sql)).toEqual([]);
    await until(async () => (await s.claim(['7:7']).catch(() => null))?.held.has('7:7') ?? false);
    await s.commit(batch);
    expect(await loadLogOffsets(db.sql)).toEqual([expect.objectContaining({ path: '/lost.log', offset: 5 })]);
  });

  it('lets a follower whose connection was cut go on from the committed offset, counting nothing twice', async () => {
    const file = path.join(dir, 'lost.log');
    await writeFile(file, orphan('delta'));
    const f = follower([file], store('lease-cut'));
    await f.poll();
    expect(await total()).toBe(1);
    await appendFile(file, orphan('echo'));
    await db.query(
      `select pg_terminate_backend(pid, 5000) from pg_stat_activity where application_name = 'lease-cut'`,
    );
    await until(async () => (await f.poll().catch(() => -1)) >= 0 && (await total()) === 2);
    await appendFile(file, orphan('foxtrot'));
    await f.poll();
    await f.poll();
    expect(await total()).toBe(3);
  });

  it('refuses to commit offsets of a file it does not hold', async () => {
    const s = store('lease-foreign');
    await s.claim(['9:9']);
    await expect(
      s.commit({ findings: [], entries: [], offsets: [{ dev: '9', ino: '8', path: '/x', offset: 1 }] }),
    ).rejects.toMatchObject({ code: 'DATABASE_UNAVAILABLE', details: { files: ['/x'] } });
    expect(await loadLogOffsets(db.sql)).toEqual([]);
  });
});

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out');
}
