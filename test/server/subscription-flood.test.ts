import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { startServices } from '../../src/app/start-services.ts';
import { type HttpServer, MAX_OPERATIONS_PER_SOCKET, startHttpServer } from '../../src/server/http.ts';
import { useTestApp } from '../helpers/app.ts';
import { ORPHAN_SUBSCRIPTION, subscribeOrphans } from '../services/orphans/helpers.ts';

const t = useTestApp();
let http: HttpServer;

beforeAll(async () => {
  await startServices(t.app, { loadDemoOnFirstStart: false });
  http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await http?.close();
});

async function leaguesAnswer(): Promise<unknown> {
  const response = await fetch(http.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ leagues { leagueId } }' }),
  });
  return response.json();
}

describe('a subscription flood from one client', () => {
  it('graphql-ws: operations past the per-connection limit get a clear error; the server stays up', async () => {
    const client = createClient({
      url: http.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
    });
    const errors: unknown[] = [];
    const disposers: Array<() => void> = [];
    for (let i = 0; i < MAX_OPERATIONS_PER_SOCKET + 20; i++) {
      disposers.push(
        client.subscribe(
          { query: ORPHAN_SUBSCRIPTION, variables: { after: null } },
          {
            next: () => undefined,
            error: (err) => errors.push(err),
            complete: () => undefined,
          },
        ),
      );
    }
    await expect.poll(() => errors.length, { timeout: 20_000 }).toBe(20);
    expect(JSON.stringify(errors[0])).toMatch(/Too many operations on this connection \(limit 100\)/);
    expect(await leaguesAnswer()).toEqual({ data: { leagues: [] } });
    disposers.forEach((dispose) => dispose());
    await client.dispose();
  });

  it('SSE: hundreds of subscriptions opened and dropped at once; the server still delivers to the next one', async () => {
    const subs = await Promise.all(
      Array.from({ length: 200 }, () => subscribeOrphans(fetch, http.url, null)),
    );
    await Promise.all(subs.map((s) => s.close()));
    expect(await leaguesAnswer()).toEqual({ data: { leagues: [] } });

    const [{ after }] = await t.db.query<{ after: string }>(
      `select coalesce(max(id), 0)::text as after from bpetl.orphan_events`,
    );
    const next = await subscribeOrphans(fetch, http.url, after);
    await t.db.query(`alter table polls drop constraint polls_team_id_fkey`);
    await t.db.query(`insert into polls (team_id, question) values (987654, 'dangling from the start')`);
    const event = await next.next();
    expect(event).toMatchObject({ table: 'polls', column: 'team_id', missingRef: '987654' });
    await next.close();
  });
});
