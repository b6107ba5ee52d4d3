import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { useTestApp } from '../helpers/app.ts';
import { sample } from '../helpers/prometheus.ts';
import {
  ORPHAN_SUBSCRIPTION,
  seedPolls,
  seedTeams,
  sseReader,
  subscribeOrphans,
  useOrphanServer,
} from '../services/orphans/helpers.ts';

const t = useTestApp();
const server = useOrphanServer(t);

async function results(execution: 'executed' | 'shared'): Promise<number> {
  return (
    sample(await t.app.metrics.render(), 'bpetl_subscription_results_total', {
      field: 'orphanDetected',
      execution,
    }) ?? 0
  );
}

/** The raw `data:` lines of an SSE subscription, to compare what two subscribers were sent byte for byte. */
async function rawSse(query: string, after: string) {
  const response = await fetch(server.http.url, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables: { after } }),
  });
  return sseReader(response);
}

const NARROW = `subscription ($after: ID) { orphanDetected(after: $after) { id rowId } }`;

describe('fan-out of one event to many subscriptions', () => {
  it('executes each event once per distinct selection and still delivers it to every subscriber', async () => {
    const teams = await seedTeams(t.db.query, 'fanout', 4);
    const polls = await seedPolls(t.db.query, [...teams, ...teams, ...teams]);
    const [{ after }] = await t.db.query<{ after: string }>(
      `select coalesce(max(id), 0)::text as after from bpetl.orphan_events`,
    );
    const sse = await Promise.all(
      Array.from({ length: 4 }, () => subscribeOrphans(fetch, server.http.url, after)),
    );
    const ws = createClient({
      url: server.http.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
    });
    const wsIds: string[] = [];
    const wsDone = new Promise<void>((resolve, reject) => {
      ws.subscribe<{ orphanDetected: { id: string } }>(
        { query: ORPHAN_SUBSCRIPTION, variables: { after } },
        {
          next: (message) => {
            if (!message.data) return reject(new Error(JSON.stringify(message)));
            wsIds.push(message.data.orphanDetected.id);
            if (wsIds.length === polls.length) resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    const narrow = [await rawSse(NARROW, after), await rawSse(NARROW, after)];
    try {
      await new Promise((r) => setTimeout(r, 300)); // every subscription is past its (empty) replay
      const executed = await results('executed');
      const shared = await results('shared');

      await t.db.query(`delete from teams where id = any($1::int[])`, [teams]);
      const received = await Promise.all(sse.map((s) => s.take(polls.length)));
      const narrowReceived = await Promise.all(
        narrow.map(async (s) => {
          const out: Array<{ data: { orphanDetected: { id: string; rowId: string } } }> = [];
          while (out.length < polls.length) out.push(await s.next());
          return out;
        }),
      );
      await wsDone;

      const ids = received[0]!.map((e) => e.id);
      expect(ids).toHaveLength(polls.length);
      expect([...ids].sort((a, b) => Number(a) - Number(b))).toEqual(ids);
      expect(new Set(received[0]!.map((e) => Number(e.rowId)))).toEqual(new Set(polls));
      for (const r of received) expect(r).toEqual(received[0]);
      expect(wsIds).toEqual(ids);
      for (const r of narrowReceived) {
        expect(r.map((m) => m.data.orphanDetected)).toEqual(
          received[0]!.map(({ id, rowId }) => ({ id, rowId })),
        );
      }
      // Two distinct selections (the full one over SSE and graphql-ws alike, and the narrow one):
      // two executions per event; the other five subscribers share them.
      expect((await results('executed')) - executed).toBe(2 * polls.length);
      expect((await results('shared')) - shared).toBe(5 * polls.length);
    } finally {
      await Promise.all([...sse, ...narrow].map((s) => s.close()));
      await ws.dispose();
    }
  });

  it('replays from a cursor for one subscriber without sharing another subscriber’s results', async () => {
    const [team] = await seedTeams(t.db.query, 'replay', 1);
    const [{ before }] = await t.db.query<{ before: string }>(
      `select coalesce(max(id), 0)::text as before from bpetl.orphan_events`,
    );
    const polls = await seedPolls(t.db.query, [team!, team!, team!]);
    await t.db.query(`delete from teams where id = $1`, [team]);
    await server.listener.drain();
    const shared = await results('shared');
    const first = await subscribeOrphans(fetch, server.http.url, before);
    const second = await subscribeOrphans(fetch, server.http.url, before);
    try {
      const [a, b] = await Promise.all([first.take(polls.length), second.take(polls.length)]);
      expect(a.map((e) => Number(e.rowId)).sort()).toEqual([...polls].sort());
      expect(b).toEqual(a);
      expect(await results('shared')).toBe(shared);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
