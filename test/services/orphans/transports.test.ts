import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

import { useTestApp } from '../../helpers/app.ts';
import {
  ORPHAN_SUBSCRIPTION,
  type OrphanEventPayload,
  seedPolls,
  seedTeams,
  subscribeOrphans,
  useOrphanServer,
} from './helpers.ts';

const t = useTestApp();
const server = useOrphanServer(t);

describe('orphanDetected over real sockets', () => {
  it('reaches an SSE client and a graphql-ws client alike', async () => {
    const [teamId] = await seedTeams(t.db.query, 'sockets', 1);
    const [pollId] = await seedPolls(t.db.query, [teamId!]);
    const [{ after }] = await t.db.query<{ after: string }>(
      `select coalesce(max(id), 0)::text as after from bpetl.orphan_events`,
    );

    const sse = await subscribeOrphans(fetch, server.http.url, after);
    const ws = createClient({
      url: server.http.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: false,
    });
    const wsEvent = new Promise<OrphanEventPayload>((resolve, reject) => {
      const unsubscribe = ws.subscribe<{ orphanDetected: OrphanEventPayload }>(
        { query: ORPHAN_SUBSCRIPTION, variables: { after } },
        {
          next: (message) => {
            if (message.data) {
              resolve(message.data.orphanDetected);
              unsubscribe();
            } else reject(new Error(JSON.stringify(message)));
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    try {
      await t.db.query(`delete from teams where id = $1`, [teamId]);
      const expected = {
        table: 'polls',
        rowId: String(pollId),
        column: 'team_id',
        missingRef: String(teamId),
      };
      expect(await sse.next()).toMatchObject(expected);
      expect(await wsEvent).toMatchObject(expected);
    } finally {
      await sse.close();
      await ws.dispose();
    }
  });
});
