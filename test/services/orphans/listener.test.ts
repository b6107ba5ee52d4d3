import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LISTENER_APPLICATION_NAME } from '../../../src/events/listener.ts';
import { type OrphanListener, startOrphanListener } from '../../../src/services/orphans/listener.ts';
import { useTestApp } from '../../helpers/app.ts';
import { type OrphanEventPayload, subscribeOrphans } from './helpers.ts';

const t = useTestApp();
let listener: OrphanListener;
/** Backends of the listener's LISTEN connection that the test terminated, in order. */
const killed: number[] = [];

beforeAll(async () => {
  await t.db.query(`alter table polls drop constraint polls_team_id_fkey`);
  // A poll far beyond the test's length: recovery must come from the catch-up after reconnecting.
  listener = await startOrphanListener(t.app, { pollIntervalMs: 600_000 });
});
afterAll(async () => {
  await listener.close();
});

const subscribe = (after: string | null) =>
  subscribeOrphans((url, init) => Promise.resolve(t.yoga.fetch(url, init)), 'http://yoga/graphql', after);

async function listenerBackends(): Promise<number[]> {
  const rows = await t.db.query<{ pid: number }>(
    `select pid from pg_stat_activity where application_name = $1 and datname = current_database()`,
    [LISTENER_APPLICATION_NAME],
  );
  return rows.map((r) => r.pid);
}

/**
 * Waits for the listener's backend, which must be a new one (the listener reconnected on its own
 * after the previous kill), and terminates it.
 */
async function killListener(): Promise<void> {
  let pids: number[] = [];
  for (let i = 0; ; i++) {
    pids = (await listenerBackends()).filter((pid) => !killed.includes(pid));
    if (pids.length > 0) break;
    if (i > 1500) throw new Error(`the listener did not reconnect after ${killed.length} kill(s)`);
    await new Promise((r) => setTimeout(r, 20));
  }
  expect(pids).toHaveLength(1);
  const [row] = await t.db.query<{ done: boolean }>(`select pg_terminate_backend($1, 5000) as done`, [
    pids[0],
  ]);
  expect(row!.done).toBe(true);
  killed.push(pids[0]!);
}

/** 10,000 dangling polls, 50 per statement, from two writers at once. */
async function produce(): Promise<void> {
  const writer = async (offset: number) => {
    for (let i = 0; i < 100; i++) {
      await t.db.query(
        `insert into polls (team_id, question) select 1000000 + g, 'orphan' from generate_series($1::int, $1::int + 49) g`,
        [offset + i * 50],
      );
    }
  };
  await Promise.all([writer(0), writer(5000)]);
}

describe('orphan listener', () => {
  it('delivers every event exactly once, in order, while its backend is killed five times', async () => {
    const [{ start }] = await t.db.query<{ start: string }>(
      `select coalesce(max(id), 0)::text as start from bpetl.orphan_events`,
    );
    const received: OrphanEventPayload[] = [];
    let sub = await subscribe(start);
    const production = produce();
    const kills = (async () => {
      for (let k = 0; k < 5; k++) {
        await new Promise((r) => setTimeout(r, 150));
        await killListener();
      }
    })();
    // Part way through, the subscriber itself goes away and resumes from its cursor.
    while (received.length < 3000) received.push(await sub.next());
    await sub.close();
    sub = await subscribe(received.at(-1)!.id);
    await Promise.all([production, kills]);
    while (received.length < 10_000) received.push(await sub.next());
    await sub.close();

    const stored = await t.db.query<{ id: string }>(
      `select e.id::text from bpetl.orphan_events e where e.id > $1 order by e.id`,
      [start],
    );
    expect(stored).toHaveLength(10_000);
    expect(received.map((e) => e.id)).toEqual(stored.map((r) => r.id));
    // Five distinct backends were killed, each opened by the listener after the one before died,
    // and it is back on a sixth.
    expect(new Set(killed).size).toBe(5);
    const now = await listenerBackends();
    expect(now).toHaveLength(1);
    expect(killed).not.toContain(now[0]);
  });
});
