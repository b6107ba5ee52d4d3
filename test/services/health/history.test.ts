import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  HEALTH_HISTORY_DAYS,
  listHealthHistory,
  recordHealth,
} from '../../../src/services/health/history.ts';
import { type HealthWatcher, startHealthWatcher } from '../../../src/services/health/report.ts';
import { useTestApp } from '../../helpers/app.ts';
import { seedPolls, seedTeams, sseReader } from '../orphans/helpers.ts';

const t = useTestApp();
let watcher: HealthWatcher;

beforeAll(async () => {
  watcher = startHealthWatcher(t.app.db.manager, t.app.pubsub, {
    debounceMs: 20,
    onChange: (report) => recordHealth(t.app.db.manager, report),
  });
});
afterAll(async () => {
  await watcher?.close();
});

const HISTORY = `query ($since: DateTime!) { healthHistory(since: $since) { id checkedAt score status types { name orphans } } }`;

interface Entry {
  id: string;
  checkedAt: string;
  score: number;
  status: string;
  types: Array<{ name: string; orphans: number }>;
}

async function history(since = new Date(0)): Promise<Entry[]> {
  const response = await t.graphql<{ healthHistory: Entry[] }>(HISTORY, { since: since.toISOString() });
  expect(response.errors).toBeUndefined();
  return response.data!.healthHistory;
}

describe('health history', () => {
  it('appends an entry each time the report changes, and only then', async () => {
    await expect.poll(async () => (await history()).length).toBe(1);
    const [clean] = await history();
    expect(clean).toMatchObject({ score: 100, status: 'HEALTHY' });

    // Re-checks of an unchanged report add nothing.
    watcher.poke();
    watcher.poke();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await history()).toHaveLength(1);

    const query = (sql: string, params?: unknown[]) => t.db.query(sql, params);
    const [team] = await seedTeams(query, 'history', 1);
    await seedPolls(query, [team!, team!]);
    await t.db.query('alter table polls drop constraint polls_team_id_fkey');
    await t.db.query('delete from teams where id = $1', [team]);
    watcher.poke();
    // The seeded polls may be recorded as a state of their own before the delete: find the orphaned one.
    await expect.poll(async () => (await history()).some((e) => e.score < 100)).toBe(true);
    const entries = await history();
    const orphaned = entries.find((e) => e.score < 100);
    expect(entries.length).toBeLessThanOrEqual(3);
    expect(orphaned!.score).toBeLessThan(100);
    expect(orphaned!.types.find((type) => type.name === 'polls')?.orphans).toBe(2);
    expect(Date.parse(orphaned!.checkedAt)).toBeGreaterThanOrEqual(Date.parse(clean!.checkedAt));
    // `since` leaves out what came before it.
    expect((await history(new Date(Date.parse(orphaned!.checkedAt)))).map((e) => e.id)).toEqual([
      orphaned!.id,
    ]);
  });

  it('records a state once even when two watchers (instances) see it', async () => {
    const before = await listHealthHistory(t.app.db.manager, new Date(0));
    const last = before.at(-1)!;
    await recordHealth(t.app.db.manager, { ...last, issues: [], checkedAt: new Date() });
    expect(await listHealthHistory(t.app.db.manager, new Date(0))).toHaveLength(before.length);
  });

  it(`prunes entries older than ${HEALTH_HISTORY_DAYS} days`, async () => {
    await t.db.query(
      `insert into bpetl.health_history (checked_at, score, status, types, checks)
       values (now() - interval '${HEALTH_HISTORY_DAYS + 1} days', 40, 'CRITICAL', '[]', '["old"]')`,
    );
    const [old] = await t.db.query<{ count: string }>(
      `select count(*) from bpetl.health_history where checks = '["old"]'`,
    );
    expect(old!.count).toBe('1');
    const last = (await listHealthHistory(t.app.db.manager, new Date(0))).at(-1)!;
    await recordHealth(t.app.db.manager, {
      ...last,
      score: 99,
      checks: [],
      issues: [],
      checkedAt: new Date(),
    });
    const [after] = await t.db.query<{ count: string }>(
      `select count(*) from bpetl.health_history where checks = '["old"]'`,
    );
    expect(after!.count).toBe('0');
  });

  it('refuses a since that is not a timestamp', async () => {
    const response = await t.graphql(HISTORY, { since: 'yesterday' });
    expect(JSON.stringify(response.errors)).toMatch(/DateTime must be an ISO-8601 string/);
  });

  it('healthChanged(after) replays the recorded states after the cursor, then goes on live', async () => {
    const entries = await history();
    expect(entries.length).toBeGreaterThanOrEqual(3);
    const subscribe = async (after?: string) => {
      const response = await t.yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
        body: JSON.stringify({
          query:
            'subscription ($after: ID) { healthChanged(after: $after) { historyId score issues { check } } }',
          variables: { after },
        }),
      });
      return sseReader(response);
    };
    type Next = { data: { healthChanged: { historyId: string | null; score: number; issues: unknown[] } } };
    const sse = await subscribe(entries[0]!.id);
    try {
      // Every recorded state after the cursor, oldest first, each with its own id as cursor.
      for (const entry of entries.slice(1)) {
        const next = await sse.next<Next>();
        expect(next.data.healthChanged).toEqual({ historyId: entry.id, score: entry.score, issues: [] });
      }
      // Then live: a change the watcher records reaches the subscriber with its new id.
      const [team] = await seedTeams((sql, params) => t.db.query(sql, params), 'cursor', 1);
      await seedPolls((sql, params) => t.db.query(sql, params), [team!]);
      await t.db.query('delete from teams where id = $1', [team]);
      watcher.poke();
      let live = await sse.next<Next>();
      // The current state comes first when the newest entry is not it (the test before recorded a
      // made-up state): a report no entry records yet has no cursor.
      if (live.data.healthChanged.historyId === null) live = await sse.next<Next>();
      expect(BigInt(live.data.healthChanged.historyId!)).toBeGreaterThan(BigInt(entries.at(-1)!.id));
      expect((await history()).at(-1)!.id).toBe(live.data.healthChanged.historyId);
    } finally {
      await sse.close();
    }
    // A cursor that is not a history id is refused.
    const bad = await subscribe('x1');
    const refused = await bad.next<{ errors?: Array<{ message: string }> }>();
    await bad.close();
    expect(JSON.stringify(refused)).toMatch(/after must be a health history id/);
  });
});
