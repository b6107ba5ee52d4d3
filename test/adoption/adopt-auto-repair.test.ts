import { afterAll, describe, expect, it } from 'vitest';

import { createApp, type RunningApp } from '../../src/app/app.ts';
import { migrate } from '../../src/app/migrate.ts';
import { startServices } from '../../src/app/start-services.ts';
import { loadConfig } from '../../src/config.ts';
import { emergencyRepair } from '../../src/services/orphans/repair.ts';
import { scanOrphans } from '../../src/services/orphans/scan.ts';
import {
  createScratchDatabase,
  LATER_TABLES,
  LEGACY_RELOAD,
  LEGACY_USER_DATA,
  legacyReferenceSql,
  legacyTeams,
  loadPlatformSchema,
  type ScratchDatabase,
  USER_TEAM_REFERENCES,
} from './platform.ts';

let db: ScratchDatabase | null = null;
let app: RunningApp | null = null;

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('BPETL_AUTO_REPAIR on an adopted database', () => {
  it("puts every user row back after the legacy ETL's replica-role reload, with no repair asked for", async () => {
    db = await createScratchDatabase();
    await loadPlatformSchema(db.url);
    await db.query(LATER_TABLES);
    await db.query(legacyReferenceSql(await legacyTeams('2025-06-21')));
    await db.query(LEGACY_USER_DATA);
    await migrate(db.url);
    app = await createApp(loadConfig({ BPETL_AUTO_REPAIR: 'true' }), db.url);
    expect(app.config.autoRepair).toBe(true);
    // The orphans the old ETL left before adoption have no event: an emergency repair takes them.
    expect((await emergencyRepair(app.db)).quarantined).toEqual([]);
    const before = await db.query(USER_TEAM_REFERENCES);
    expect(before.length).toBeGreaterThan(100);
    expect(before.every((r) => r.team !== null)).toBe(true);
    const repairsBefore = (await db.query<{ n: number }>(`select count(*)::int as n from bpetl.repairs`))[0]!
      .n;

    await startServices(app, { loadDemoOnFirstStart: false });
    await db.query(LEGACY_RELOAD);
    const detected = await db.query<{ n: number }>(
      `select count(*)::int as n from bpetl.orphan_events where id > 0 and cause = 'DELETE'`,
    );
    expect(detected[0]!.n).toBeGreaterThan(50);

    let open = -1;
    for (let i = 0; i < 300 && open !== 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      open = (
        await db.query<{ n: number }>(
          `select count(*)::int as n from bpetl.orphan_events where resolved_at is null`,
        )
      )[0]!.n;
    }
    expect(open).toBe(0);
    expect((await scanOrphans(app.db.manager)).total).toBe(0);
    expect(await db.query(USER_TEAM_REFERENCES)).toEqual(before);
    const repairs = await db.query<{ reference: string; strategy: string; n: number }>(
      `select reference, strategy, count(*)::int as n from bpetl.repairs where id > $1
        group by 1, 2 order by 1, 2`,
      [repairsBefore],
    );
    // Teams by league, club and series; players by external id and league: all from the events.
    const strategies = Object.fromEntries(repairs.map((r) => [r.reference, r.strategy]));
    expect(strategies).toMatchObject({
      'polls.team_id': 'natural_key',
      'saved_lineups.team_id': 'natural_key',
      'user_contexts.team_id': 'natural_key',
      'schedule.home_team_id': 'natural_key',
      'poll_responses.player_id': 'external_id',
      'player_availability.player_id': 'external_id',
    });
    expect(new Set(Object.values(strategies))).toEqual(new Set(['natural_key', 'external_id']));
    expect(await db.query(`select * from bpetl.quarantine where released_at is null`)).toEqual([]);
  }, 120_000);
});
