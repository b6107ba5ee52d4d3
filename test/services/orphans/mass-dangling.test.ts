import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LISTENER_APPLICATION_NAME } from '../../../src/events/listener.ts';
import { type OrphanListener, startOrphanListener } from '../../../src/services/orphans/listener.ts';
import { useTestApp } from '../../helpers/app.ts';
import { committed, type OrphanEventPayload, seedTeams, subscribeOrphans } from './helpers.ts';

// A legacy ETL re-creating every team under replica (no foreign key fires) leaves every reference
// to a team dangling at once: the set-based path must still report each row once, in order, to a
// subscriber, however often the listener's connection is killed while it reads them.
const t = useTestApp();
let listener: OrphanListener;
const TEAMS = 200;
const POLLS = 6000;
const MESSAGES = 4000;

beforeAll(async () => {
  const teams = await seedTeams(t.db.query.bind(t.db), 'mass', TEAMS);
  await t.db.query(
    `insert into polls (team_id, question) select ($1::int[])[1 + g % $2], 'q' from generate_series(1, $3) g`,
    [teams, TEAMS, POLLS],
  );
  await t.db.query(
    `insert into captain_messages (team_id, message) select ($1::int[])[1 + g % $2], 'm' from generate_series(1, $3) g`,
    [teams, TEAMS, MESSAGES],
  );
  listener = await startOrphanListener(t.app, { pollIntervalMs: 600_000 });
});
afterAll(async () => {
  await listener.close();
});

async function killListener(killed: number[]): Promise<void> {
  for (let i = 0; ; i++) {
    const rows = await t.db.query<{ pid: number }>(
      `select pid from pg_stat_activity where application_name = $1 and datname = current_database()`,
      [LISTENER_APPLICATION_NAME],
    );
    const pid = rows.map((r) => r.pid).find((p) => !killed.includes(p));
    if (pid !== undefined) {
      await t.db.query(`select pg_terminate_backend($1, 5000)`, [pid]);
      killed.push(pid);
      return;
    }
    if (i > 1500) throw new Error('the listener did not reconnect');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('mass dangling references', () => {
  it(
    'every row reported exactly once, in id order, across listener kills',
    { timeout: 120_000 },
    async () => {
      const [{ start }] = await t.db.query<{ start: string }>(
        `select coalesce(max(id), 0)::text as start from bpetl.orphan_events`,
      );
      const sub = await subscribeOrphans(
        (url, init) => Promise.resolve(t.yoga.fetch(url, init)),
        'http://yoga/graphql',
        start,
      );
      await committed(t.db.pool, [
        ['set local session_replication_role = replica'],
        ['create temp table old_teams on commit drop as select * from teams'],
        ['delete from teams'],
        [
          `insert into teams (club_id, series_id, league_id, team_name, team_alias)
         select club_id, series_id, league_id, team_name, team_alias from old_teams order by id`,
        ],
      ]);
      const received: OrphanEventPayload[] = [];
      const killed: number[] = [];
      for (const at of [1000, 4000, 7000]) {
        while (received.length < at) received.push(await sub.next());
        await killListener(killed);
      }
      while (received.length < POLLS + MESSAGES) received.push(await sub.next());
      await sub.close();

      const stored = await t.db.query<{ id: string; reference: string; row_id: string; context: unknown }>(
        `select e.id::text as id, e.reference, e.row_id::text as row_id, e.context from bpetl.orphan_events e where e.id > $1 order by e.id`,
        [start],
      );
      expect(stored).toHaveLength(POLLS + MESSAGES);
      expect(received.map((e) => e.id)).toEqual(stored.map((e) => e.id));
      // One event per dangling row, rows of a reference in row order, each with its team's natural key.
      for (const [reference, table, count] of [
        ['polls.team_id', 'polls', POLLS],
        ['captain_messages.team_id', 'captain_messages', MESSAGES],
      ] as const) {
        const rows = stored.filter((e) => e.reference === reference).map((e) => Number(e.row_id));
        const expected = await t.db.query<{ id: number }>(`select id from ${table} order by id`);
        expect(rows).toEqual(expected.map((r) => r.id));
        expect(rows).toHaveLength(count);
      }
      expect(stored.every((e) => (e.context as { club?: string } | null)?.club === 'Club mass')).toBe(true);
      expect(new Set(killed).size).toBe(3);
    },
  );
});
