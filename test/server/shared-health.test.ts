import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { type HttpServer, startHttpServer } from '../../src/server/http.ts';
import {
  HEALTH_SCAN_INTERVAL_MS,
  healthScanCount,
  type HealthWatcher,
  startHealthWatcher,
} from '../../src/services/health/report.ts';
import { useTestApp } from '../helpers/app.ts';
import { seedPolls, seedTeams } from '../services/orphans/helpers.ts';

/**
 * The health report is an expensive read: however many clients ask (`health` with 15 aliases from
 * many HTTP clients, hundreds of `healthChanged` subscriptions over many sockets, a watcher poked
 * by a flood of orphan events), scans start at most once a second and every reader shares them.
 */
const t = useTestApp();
let http: HttpServer;
let watcher: HealthWatcher;

beforeAll(async () => {
  http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  watcher = startHealthWatcher(t.app.db.manager, t.app.pubsub, { debounceMs: 20 });
});
afterAll(async () => {
  await watcher?.close();
  await http?.close();
});

const ALIASES = `{ ${Array.from({ length: 15 }, (_, i) => `a${i}: health { score checkedAt }`).join(' ')} }`;

interface Socket {
  reports: Map<string, Array<{ score: number; status: string }>>;
  close(): void;
}

/** One graphql-ws connection with `count` healthChanged subscriptions, collecting what each receives. */
async function subscribe(count: number): Promise<Socket> {
  const socket = new WebSocket(http.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const reports = new Map<string, Array<{ score: number; status: string }>>();
  await new Promise<void>((resolve, reject) => {
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as {
        type: string;
        id?: string;
        payload?: { data?: { healthChanged: { score: number; status: string } } };
      };
      if (message.type === 'connection_ack') resolve();
      else if (message.type === 'next') reports.get(message.id!)!.push(message.payload!.data!.healthChanged);
      else if (message.type === 'error') reject(new Error(JSON.stringify(message)));
    });
    socket.send(JSON.stringify({ type: 'connection_init', payload: {} }));
  });
  for (let i = 0; i < count; i++) {
    reports.set(String(i), []);
    socket.send(
      JSON.stringify({
        id: String(i),
        type: 'subscribe',
        payload: { query: 'subscription { healthChanged { score status } }' },
      }),
    );
  }
  return { reports, close: () => socket.close() };
}

async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('shared health scans', () => {
  it('many health queries and healthChanged subscriptions cost at most one scan a second', async () => {
    await new Promise((resolve) => setTimeout(resolve, HEALTH_SCAN_INTERVAL_MS));
    const scansBefore = healthScanCount();
    const started = Date.now();
    // 20 sockets × 50 subscriptions, 8 HTTP clients asking for 15 reports at a time, and the
    // watcher poked as an orphan flood would poke it.
    const sockets = await Promise.all(Array.from({ length: 20 }, () => subscribe(50)));
    const poker = setInterval(() => watcher.poke(), 30);
    let queries = 0;
    const checkedAts = new Set<string>();
    const clients = Array.from({ length: 8 }, async () => {
      for (let round = 0; round < 5 || Date.now() - started < 3000; round++) {
        const res = await fetch(http.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: ALIASES }),
        });
        const body = (await res.json()) as { data: Record<string, { score: number; checkedAt: string }> };
        expect(Object.keys(body.data)).toHaveLength(15);
        for (const report of Object.values(body.data)) checkedAts.add(report.checkedAt);
        queries += 15;
      }
    });
    try {
      await Promise.all(clients);
      await until(() => sockets.every((s) => [...s.reports.values()].every((r) => r.length >= 1)));
      const elapsed = Date.now() - started;
      const scans = healthScanCount() - scansBefore;
      // Scans start a second apart: one at the start plus one per full second elapsed.
      expect(scans).toBeGreaterThan(0);
      expect(scans).toBeLessThanOrEqual(Math.floor(elapsed / HEALTH_SCAN_INTERVAL_MS) + 1);
      expect(queries).toBeGreaterThanOrEqual(8 * 15 * 5);
      // Every report served was one of those scans.
      expect(checkedAts.size).toBeLessThanOrEqual(scans);

      // A change reaches every subscriber, from the one scan the watcher shares.
      const changeBefore = healthScanCount();
      const changeStarted = Date.now();
      await t.db.query(`alter table polls drop constraint polls_team_id_fkey`);
      const [team] = await seedTeams(t.db.query, 'shared', 1);
      await seedPolls(t.db.query, [team!]);
      await t.db.query(`delete from teams where id = $1`, [team]);
      watcher.poke();
      await until(() =>
        sockets.every((s) =>
          [...s.reports.values()].every((r) => r.some((report) => report.status !== 'HEALTHY')),
        ),
      );
      const changeScans = healthScanCount() - changeBefore;
      expect(changeScans).toBeLessThanOrEqual(
        Math.floor((Date.now() - changeStarted) / HEALTH_SCAN_INTERVAL_MS) + 1,
      );
    } finally {
      clearInterval(poker);
      for (const s of sockets) s.close();
    }
  });

  it('a health query is never more than a second old', async () => {
    await new Promise((resolve) => setTimeout(resolve, HEALTH_SCAN_INTERVAL_MS));
    const before = new Date();
    const { data } = await t.graphql<{ health: { checkedAt: string; status: string } }>(
      '{ health { checkedAt status } }',
    );
    expect(new Date(data!.health.checkedAt).getTime()).toBeGreaterThanOrEqual(
      before.getTime() - HEALTH_SCAN_INTERVAL_MS,
    );
    // The orphan left by the first test: missing foreign key and orphans together are CRITICAL.
    expect(data!.health.status).toBe('CRITICAL');
  });
});
