import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { CHANNEL } from '../../../src/events/channels.ts';
import { LogFollower } from '../../../src/logs/follower.ts';
import { scanLogs } from '../../../src/logs/scanner.ts';
import type { LogFinding } from '../../../src/logs/types.ts';
import {
  getLogFindings,
  listLogAlerts,
  listLogFindings,
  loadLogOffsets,
} from '../../../src/services/logs/findings.ts';
import { createLeasedPgOffsetStore } from '../../../src/services/logs/lease.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { recordIn } from '../../helpers/log-findings.ts';

const db = useTestDatabase();
let dir: string;

function finding(over: Partial<LogFinding> = {}): LogFinding {
  return {
    category: 'DEADLOCK',
    fingerprint: 'f-deadlock',
    count: 2,
    firstSeen: '2025-08-06T10:00:00.000Z',
    lastSeen: '2025-08-06T11:00:00.000Z',
    files: ['/var/log/a.log'],
    sample: 'ERROR:  deadlock detected',
    ...over,
  };
}

const NO_THRESHOLDS = {};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-findings-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await db.query(
    'truncate bpetl.log_findings, bpetl.log_alerts, bpetl.log_finding_hits, bpetl.log_offsets restart identity',
  );
});

describe('recordFindings', () => {
  it('deduplicates by fingerprint: counts add up, first/last seen widen, files merge', async () => {
    await recordIn(db, [finding()], { thresholds: NO_THRESHOLDS });
    const { findings } = await recordIn(
      db,
      [
        finding({
          count: 3,
          firstSeen: '2025-08-05T09:00:00.000Z',
          lastSeen: '2025-08-06T10:30:00.000Z',
          files: ['/var/log/b.log', '/var/log/a.log'],
        }),
      ],
      { thresholds: NO_THRESHOLDS },
    );
    expect(findings).toEqual([
      expect.objectContaining({
        id: '1',
        fingerprint: 'f-deadlock',
        count: 5,
        firstSeen: '2025-08-05T09:00:00.000Z',
        lastSeen: '2025-08-06T11:00:00.000Z',
        files: ['/var/log/a.log', '/var/log/b.log'],
      }),
    ]);
    expect(await db.query('select count(*)::int as n from bpetl.log_findings')).toEqual([{ n: 1 }]);
  });

  it('keeps the larger count with merge max, so repeated scans of the same files do not inflate it', async () => {
    await recordIn(db, [finding({ count: 4 })], { merge: 'max', thresholds: NO_THRESHOLDS });
    const { findings } = await recordIn(db, [finding({ count: 4 })], {
      merge: 'max',
      thresholds: NO_THRESHOLDS,
    });
    expect(findings[0]!.count).toBe(4);
  });

  it('rejects a bad finding with its index and writes nothing', async () => {
    await expect(
      recordIn(db, [finding({ fingerprint: 'ok' }), finding({ fingerprint: 'bad', count: 0 })]),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'Log finding 1 (bad): count must be a positive integer, got 0',
    });
    expect(await db.query('select * from bpetl.log_findings')).toEqual([]);
  });

  it('raises one alert per window when a category reaches its threshold, and notifies', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const notes: { channel: string; payload: unknown }[] = [];
    listener.on('notification', (n) => notes.push({ channel: n.channel, payload: JSON.parse(n.payload!) }));
    await listener.query(`listen ${CHANNEL.logFinding}`);
    await listener.query(`listen ${CHANNEL.logAlert}`);
    try {
      const now = new Date().toISOString();
      const thresholds = { ORPHAN_INDICATOR: { count: 3, windowSeconds: 600 } };
      const orphan = (count: number) =>
        finding({
          category: 'ORPHAN_INDICATOR',
          fingerprint: 'f-orphan',
          count,
          firstSeen: now,
          lastSeen: now,
        });
      expect((await recordIn(db, [orphan(2)], { thresholds })).alerts).toEqual([]);
      const { alerts } = await recordIn(db, [orphan(1)], { thresholds });
      expect(alerts).toEqual([
        expect.objectContaining({
          id: '1',
          category: 'ORPHAN_INDICATOR',
          count: 3,
          threshold: 3,
          windowSeconds: 600,
        }),
      ]);
      expect((await recordIn(db, [orphan(5)], { thresholds })).alerts).toEqual([]);
      // Old occurrences fall outside the window.
      await recordIn(db, [finding({ count: 50 })], {
        thresholds: { DEADLOCK: { count: 3, windowSeconds: 600 } },
      });
      expect(await listLogAlerts(db.sql, { category: 'DEADLOCK' })).toEqual([]);
      expect(await listLogAlerts(db.sql, { after: 0 })).toHaveLength(1);

      await listener.query('select 1'); // notifications are delivered by now
      expect(notes).toContainEqual({
        channel: CHANNEL.logAlert,
        payload: { id: 1, category: 'ORPHAN_INDICATOR' },
      });
      expect(notes).toContainEqual({
        channel: CHANNEL.logFinding,
        payload: { category: 'ORPHAN_INDICATOR', ids: [1] },
      });
    } finally {
      await listener.end();
    }
  });
});

describe('listLogFindings', () => {
  it('filters by category and since, most recently seen first, and limits to first', async () => {
    await recordIn(
      db,
      [
        finding(),
        finding({ fingerprint: 'f2', category: 'UPSERT_FAILURE', lastSeen: '2025-08-07T00:00:00.000Z' }),
        finding({ fingerprint: 'f3', lastSeen: '2025-08-01T00:00:00.000Z', firstSeen: null }),
      ],
      { thresholds: NO_THRESHOLDS },
    );
    expect((await listLogFindings(db.sql)).map((f) => f.fingerprint)).toEqual(['f2', 'f-deadlock', 'f3']);
    expect((await listLogFindings(db.sql, { category: 'DEADLOCK' })).map((f) => f.fingerprint)).toEqual([
      'f-deadlock',
      'f3',
    ]);
    expect(
      (await listLogFindings(db.sql, { since: '2025-08-06T00:00:00Z' })).map((f) => f.fingerprint),
    ).toEqual(['f2', 'f-deadlock']);
    expect(await listLogFindings(db.sql, { first: 1 })).toHaveLength(1);
    const [one] = await listLogFindings(db.sql, { first: 1 });
    expect(await getLogFindings(db.sql, [one!.id])).toEqual([one]);
  });

  it('rejects a bad first or since', async () => {
    await expect(listLogFindings(db.sql, { first: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(listLogFindings(db.sql, { since: 'yesterday' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
  });
});

describe('scan and follow into the database', () => {
  it('stores what a scan found, one row per fingerprint', async () => {
    const file = path.join(dir, 'pg.log');
    await writeFile(
      file,
      [
        '2025-08-06 10:00:00.000 UTC [1] ERROR:  duplicate key value violates unique constraint "teams_pkey"',
        '2025-08-06 10:00:00.000 UTC [1] DETAIL:  Key (id)=(1) already exists.',
        '2025-08-06 10:05:00.000 UTC [2] ERROR:  duplicate key value violates unique constraint "polls_pkey"',
        '2025-08-06 10:06:00.000 UTC [3] FATAL:  terminating connection due to administrator command',
        '',
      ].join('\n'),
    );
    const scan = await scanLogs({ paths: [file] });
    await recordIn(db, scan.findings, { merge: 'max', thresholds: NO_THRESHOLDS });
    await recordIn(db, scan.findings, { merge: 'max', thresholds: NO_THRESHOLDS });
    const stored = await listLogFindings(db.sql);
    expect(
      stored.map(({ category, fingerprint, count, firstSeen, lastSeen, files, sample }) => ({
        category,
        fingerprint,
        count,
        firstSeen,
        lastSeen,
        files,
        sample,
      })),
    ).toEqual(expect.arrayContaining(scan.findings));
    expect(stored).toHaveLength(2);
  });

  it('follows with offsets in the database: a restarted follower neither loses nor repeats', async () => {
    const file = path.join(dir, 'etl.log');
    const line = (n: number) => `{"level":50,"time":${1754474400000 + n},"msg":"orphan poll ${n} found"}\n`;
    await writeFile(file, line(1) + line(2));
    const store = createLeasedPgOffsetStore({ connectionString: db.url }, { thresholds: NO_THRESHOLDS });
    const first = new LogFollower({ paths: [file], store, startAt: 'start', idleFlushMs: 0 });
    await first.poll();
    await first.close();
    await store.close();
    await appendFile(file, line(3));
    const secondStore = createLeasedPgOffsetStore({ connectionString: db.url });
    const second = new LogFollower({ paths: [file], store: secondStore, startAt: 'start', idleFlushMs: 0 });
    await second.poll();
    await second.close();
    await secondStore.close();
    const [stored] = await listLogFindings(db.sql, { category: 'ORPHAN_INDICATOR' });
    expect(stored!.count).toBe(3);
    expect(await loadLogOffsets(db.sql)).toEqual([
      expect.objectContaining({ path: file, offset: Buffer.byteLength(line(1) + line(2) + line(3)) }),
    ]);
  });
  it('rolls back findings with offsets when the real store fails mid-commit, then delivers the batch once', async () => {
    const file = path.join(dir, 'fail.log');
    const line = (n: number) => `{"level":50,"time":${1754474400000 + n},"msg":"orphan poll ${n} found"}\n`;
    await writeFile(file, line(1) + line(2) + line(3));
    // The offsets are written after the findings, in the same transaction: failing them must take
    // the findings back too.
    await db.query(`create function bpetl.test_refuse_offsets() returns trigger language plpgsql as $$
      begin raise exception 'offsets refused'; end $$`);
    await db.query(`create trigger test_refuse before insert or update on bpetl.log_offsets
      for each row execute function bpetl.test_refuse_offsets()`);
    const store = createLeasedPgOffsetStore({ connectionString: db.url }, { thresholds: NO_THRESHOLDS });
    const seen: number[] = [];
    const follower = new LogFollower({
      paths: [file],
      store,
      startAt: 'start',
      idleFlushMs: 0,
      onFinding: (_f, entry) => seen.push(Number(/poll (\d+)/.exec(entry.message)![1])),
    });
    try {
      await expect(follower.poll()).rejects.toThrow(/offsets refused/);
      expect(await listLogFindings(db.sql)).toEqual([]);
      expect(await loadLogOffsets(db.sql)).toEqual([]);
      expect(seen).toEqual([]);
      await db.query(`drop trigger test_refuse on bpetl.log_offsets`);
      await follower.poll();
      await follower.poll();
    } finally {
      await follower.close();
      await store.close();
      await db.query(`drop trigger if exists test_refuse on bpetl.log_offsets`);
      await db.query(`drop function if exists bpetl.test_refuse_offsets()`);
    }
    expect(seen).toEqual([1, 2, 3]);
    const [stored] = await listLogFindings(db.sql, { category: 'ORPHAN_INDICATOR' });
    expect(stored!.count).toBe(3);
    expect(await loadLogOffsets(db.sql)).toEqual([
      expect.objectContaining({ path: file, offset: Buffer.byteLength(line(1) + line(2) + line(3)) }),
    ]);
  });
});
