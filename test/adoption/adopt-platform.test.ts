import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp, type RunningApp } from '../../src/app/app.ts';
import { migrate } from '../../src/app/migrate.ts';
import { loadConfig } from '../../src/config.ts';
import { migrateDown } from '../../src/db/migrate.ts';
import { checkHealth } from '../../src/services/health/report.ts';
import { emergencyRepair } from '../../src/services/orphans/repair.ts';
import { scanOrphans } from '../../src/services/orphans/scan.ts';
import { startPipeline } from '../../src/services/pipeline/run-pipeline.ts';
import { loadProtectionSpec } from '../../src/services/protection/spec.ts';
import {
  APPLICATION_COLUMNS,
  APPLICATION_CONSTRAINTS,
  createScratchDatabase,
  FEEDS,
  LATER_TABLES,
  LEGACY_RELOAD,
  LEGACY_USER_DATA,
  legacyReferenceSql,
  legacyTeams,
  loadPlatformSchema,
  type ScratchDatabase,
  USER_TEAM_REFERENCES,
} from './platform.ts';

let db: ScratchDatabase;
let app: RunningApp | null = null;
let columnsBefore: unknown[];
let constraintsBefore: unknown[];

beforeAll(async () => {
  db = await createScratchDatabase();
  await loadPlatformSchema(db.url);
  await db.query(LATER_TABLES);
  await db.query(legacyReferenceSql(await legacyTeams('2025-06-21')));
  await db.query(LEGACY_USER_DATA);
  columnsBefore = await db.query(APPLICATION_COLUMNS);
  constraintsBefore = await db.query(APPLICATION_CONSTRAINTS);
}, 120_000);

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

async function importFeed(feed: string): Promise<void> {
  const { finished } = await startPipeline(app!, {
    path: path.join(FEEDS, feed),
    allowShrink: true,
  });
  const run = await finished;
  expect({ status: run.status, error: run.error }).toEqual({ status: 'SUCCEEDED', error: null });
}

const userTeams = async () =>
  db.query<{ t: string; row_id: string; team: string | null }>(USER_TEAM_REFERENCES);

describe('adopting the platform database (its July 2025 schema, later tables, a legacy state)', () => {
  let teamsBefore: Array<{ t: string; row_id: string; team: string | null }>;

  it('migrate adopts it: bpetl schema and triggers, application tables only added to', async () => {
    const applied = await migrate(db.url);
    expect(applied.length).toBeGreaterThan(0);
    const adopted = await db.query(`select id from bpetl.migrations where adopted order by id`);
    expect(adopted).toEqual([{ id: 1 }, { id: 2 }]);
    const changes = await db.query(`select kind, table_name, object_name from bpetl.schema_changes`);
    expect(changes).toEqual([
      { kind: 'ADD_COLUMN', table_name: 'user_player_associations', object_name: 'bpetl_id' },
    ]);
    const now = await db.query<{ table_name: string; column_name: string }>(APPLICATION_COLUMNS);
    const added = now.filter((c) => !columnsBefore.some((b) => JSON.stringify(b) === JSON.stringify(c)));
    expect(added.map((c) => `${c.table_name}.${c.column_name}`)).toEqual([
      'user_player_associations.bpetl_id',
    ]);
  });

  it('discovers the protection spec from the catalog, each entry with its origin', async () => {
    app = await createApp(loadConfig({}), db.url);
    const spec = await loadProtectionSpec(app.db.manager);
    const byName = Object.fromEntries(spec.map((r) => [r.name, `${r.origin} ${r.rematch} ${r.targetTable}`]));
    expect(byName).toEqual({
      'captain_messages.team_id': 'FOREIGN_KEY team teams',
      'lineup_escrow.initiator_team_id': 'FOREIGN_KEY team teams',
      'lineup_escrow.recipient_team_id': 'FOREIGN_KEY team teams',
      'player_availability.player_id': 'BUILT_IN player players',
      'player_availability.series_id': 'BUILT_IN series series',
      'poll_responses.player_id': 'BUILT_IN player players',
      'polls.team_id': 'BUILT_IN team teams',
      'saved_lineups.team_id': 'FOREIGN_KEY team teams',
      'schedule.home_team_id': 'BUILT_IN practice teams',
      'user_contexts.league_id': 'FOREIGN_KEY league leagues',
      'user_contexts.series_id': 'FOREIGN_KEY series series',
      'user_contexts.team_id': 'FOREIGN_KEY team teams',
      'user_instructions.series_id': 'FOREIGN_KEY series series',
      'user_instructions.team_id': 'FOREIGN_KEY team teams',
      'user_player_associations.tenniscores_player_id': 'BUILT_IN external_player players',
    });
    expect(spec.find((r) => r.name === 'user_contexts.team_id')?.onDelete).toBe('SET NULL');
  });

  it('repairs the orphans that predate adoption from the rows own evidence', async () => {
    const report = await emergencyRepair(app!.db);
    expect(report.quarantined).toEqual([]);
    expect(report.repaired.map((r) => [r.reference, r.strategy]).sort()).toEqual([
      ['captain_messages.team_id', 'row_text'],
      ['polls.team_id', 'creator_player'],
    ]);
    expect((await scanOrphans(app!.db.manager)).total).toBe(0);
    teamsBefore = await userTeams();
  });

  it('imports both real feeds: no orphans, every user row on the same team, health 100', async () => {
    await importFeed('2025-06-21');
    await importFeed('2025-06-30');
    const [counts] = await db.query<{ teams: number; players: number; series: number }>(
      `select (select count(*)::int from teams) as teams, (select count(*)::int from players) as players,
              (select count(*)::int from series) as series`,
    );
    expect(counts!.teams).toBeGreaterThan(870);
    expect(counts!.players).toBeGreaterThan(10_000);
    // CITA teams named after their club share a name within the league: the platform's
    // unique_team_name_per_league holds, so they carry their series in the name.
    const cita = await db.query(
      `select t.team_name from teams t join leagues l on l.id = t.league_id
        where l.league_id = 'CITA' and t.team_name like 'North Shore Racquet Club - %'`,
    );
    expect(cita.length).toBeGreaterThan(5);
    // The pipeline's constraint repair protected the references the platform left without a key,
    // and stopped the CASCADE that would delete saved lineups with their team; all recorded.
    const changes = await db.query<{ kind: string; object_name: string }>(
      `select kind, object_name from bpetl.schema_changes order by id`,
    );
    expect(changes).toEqual(
      expect.arrayContaining([
        { kind: 'ADD_CONSTRAINT', object_name: 'bpetl_polls_team_id_fkey' },
        { kind: 'ALTER_FOREIGN_KEY', object_name: 'saved_lineups_team_id_fkey' },
      ]),
    );
    expect((await scanOrphans(app!.db.manager)).total).toBe(0);
    expect(await userTeams()).toEqual(teamsBefore);
    const health = await checkHealth(app!.db.manager);
    expect({ score: health.score, issues: health.issues }).toEqual({ score: 100, issues: [] });
  }, 300_000);

  it("catches the legacy ETL's replica-role reload; an emergency repair puts every user row back", async () => {
    await db.query(LEGACY_RELOAD);
    const open = await db.query<{ n: number }>(
      `select count(*)::int as n from bpetl.orphan_events where resolved_at is null`,
    );
    expect(open[0]!.n).toBeGreaterThan(0);
    const report = await emergencyRepair(app!.db);
    expect(report.quarantined).toEqual([]);
    expect((await scanOrphans(app!.db.manager)).total).toBe(0);
    expect(await userTeams()).toEqual(teamsBefore);
  }, 120_000);

  it('migrate --down 0 leaves the application tables exactly as before adoption, no bpetl schema', async () => {
    await app?.close();
    app = null;
    await migrateDown(db.url, 0);
    expect(await db.query(APPLICATION_COLUMNS)).toEqual(columnsBefore);
    expect(await db.query(APPLICATION_CONSTRAINTS)).toEqual(constraintsBefore);
    expect(await db.query(`select nspname from pg_namespace where nspname = 'bpetl'`)).toEqual([]);
    const triggers = await db.query(`select tgname from pg_trigger where tgname like 'bpetl%'`);
    expect(triggers).toEqual([]);
  });
});
