import { describe, expect, it } from 'vitest';

import { createApp, type RunningApp } from '../../../src/app/app.ts';
import { loadConfig } from '../../../src/config.ts';
import { createYogaServer } from '../../../src/server/yoga.ts';
import { startOrphanMonitoring } from '../../../src/services/orphans/monitor.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { type OrphanEventPayload, subscribeOrphans } from './helpers.ts';

const db = useTestDatabase();

async function startServer(): Promise<{
  app: RunningApp;
  subscribe(after: string): ReturnType<typeof subscribeOrphans>;
}> {
  const app = await createApp(loadConfig({}), db.url);
  await startOrphanMonitoring(app, { pollIntervalMs: 200 });
  const yoga = createYogaServer(app);
  return {
    app,
    subscribe: (after) =>
      subscribeOrphans((url, init) => Promise.resolve(yoga.fetch(url, init)), 'http://yoga/graphql', after),
  };
}

describe('a restarted server', () => {
  it('lets a subscriber reconnecting with `after` miss nothing while events keep coming', async () => {
    await db.query(`alter table captain_messages drop constraint captain_messages_team_id_fkey`);
    const [{ start }] = await db.query<{ start: string }>(
      `select coalesce(max(id), 0)::text as start from bpetl.orphan_events`,
    );
    let producing = true;
    let statements = 0;
    const production = (async () => {
      while (producing || statements < 40) {
        await db.query(
          `insert into captain_messages (team_id, message) select 2000000 + g, 'lost' from generate_series(1, 25) g`,
        );
        statements += 1;
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    const received: OrphanEventPayload[] = [];
    const first = await startServer();
    let sub = await first.subscribe(start);
    while (received.length < 200) received.push(await sub.next());
    await sub.close();
    await first.app.close();
    // Down for a while: events keep being committed with nobody listening.
    const latest = async () =>
      (await db.query<{ id: string }>(`select coalesce(max(id), 0)::text as id from bpetl.orphan_events`))[0]!
        .id;
    const down = await latest();
    await new Promise((r) => setTimeout(r, 300));
    const up = await latest();
    const missed = await db.query<{ id: string }>(
      `select id::text from bpetl.orphan_events where id > $1 and id <= $2 order by id`,
      [down, up],
    );
    // Stored while no server ran: only the second one's catch-up can deliver these.
    expect(missed.length).toBeGreaterThan(0);

    const second = await startServer();
    try {
      sub = await second.subscribe(received.at(-1)!.id);
      producing = false;
      await production;
      const [{ total }] = await db.query<{ total: number }>(
        `select count(*)::int as total from bpetl.orphan_events where id > $1`,
        [start],
      );
      while (received.length < total) received.push(await sub.next());
      await sub.close();
      const stored = await db.query<{ id: string }>(
        `select e.id::text from bpetl.orphan_events e where e.id > $1 order by e.id`,
        [start],
      );
      expect(received.map((e) => e.id)).toEqual(stored.map((r) => r.id));
      expect(received.map((e) => e.id)).toEqual(expect.arrayContaining(missed.map((r) => r.id)));
    } finally {
      await second.app.close();
    }
  });
});
