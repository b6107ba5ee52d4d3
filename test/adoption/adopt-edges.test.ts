import { afterAll, afterEach, describe, expect, it } from 'vitest';

import { createApp, type RunningApp } from '../../src/app/app.ts';
import { migrate } from '../../src/app/migrate.ts';
import { loadConfig } from '../../src/config.ts';
import { createYogaServer } from '../../src/server/yoga.ts';
import { repairConstraints } from '../../src/services/constraints/repair.ts';
import { validateConstraints } from '../../src/services/constraints/validate.ts';
import { repairOrphans } from '../../src/services/orphans/repair.ts';
import { undoRepair } from '../../src/services/orphans/repairs.ts';
import { loadProtectionSpec } from '../../src/services/protection/spec.ts';
import { runCli } from '../helpers/cli.ts';
import {
  APPLICATION_COLUMNS,
  createScratchDatabase,
  LATER_TABLES,
  loadPlatformSchema,
  type ScratchDatabase,
} from './platform.ts';

const scratch: ScratchDatabase[] = [];
let app: RunningApp | null = null;

afterEach(async () => {
  await app?.close();
  app = null;
});
afterAll(async () => {
  for (const db of scratch) await db.drop();
});

async function platform(): Promise<ScratchDatabase> {
  const db = await createScratchDatabase();
  scratch.push(db);
  await loadPlatformSchema(db.url);
  await db.query(LATER_TABLES);
  return db;
}

describe('a database that is neither empty nor of the platform shape', () => {
  it('is refused with the list of what does not fit, and nothing changes', async () => {
    const db = await createScratchDatabase();
    scratch.push(db);
    await db.query(`
      create table leagues (id serial primary key, league_id text not null, league_name text not null);
      create table teams (id serial primary key, club_id integer, series_id integer, league_id integer,
                          team_name integer not null, team_alias text, display_name text, is_active boolean,
                          sponsor text not null);
      create table clubs (id serial primary key, name text not null);`);
    const before = await db.query(APPLICATION_COLUMNS);
    const refused = await migrate(db.url).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'SCHEMA_MISFIT' });
    expect((refused as { details: { misfits: string[] } }).details.misfits).toEqual([
      "table public.series is missing (the platform's other tables are present)",
      "table public.club_leagues is missing (the platform's other tables are present)",
      "table public.series_leagues is missing (the platform's other tables are present)",
      "table public.players is missing (the platform's other tables are present)",
      "table public.schedule is missing (the platform's other tables are present)",
      "table public.series_stats is missing (the platform's other tables are present)",
    ]);
    await db.query(`
      create table series (id serial primary key, name text not null, display_name text);
      create table club_leagues (club_id integer, league_id integer);
      create table series_leagues (series_id integer, league_id integer);
      create table players (id serial primary key, tenniscores_player_id text, first_name text, last_name text,
                            league_id integer, club_id integer, series_id integer, team_id integer, is_active boolean);
      create table schedule (id serial primary key, league_id integer, match_date date, match_time text,
                             home_team text, away_team text, home_team_id integer, location text);
      create table series_stats (league_id integer, series_id integer, team_id integer, series text, team text);`);
    const beforeSecond = await db.query(APPLICATION_COLUMNS);
    const shaped = await migrate(db.url).catch((err: unknown) => err);
    expect((shaped as { details: { misfits: string[] } }).details.misfits).toEqual([
      'column teams.team_name is integer; expected text or character varying or character',
      'column teams.sponsor is NOT NULL without a default, and the import does not write it',
      'column schedule.away_team_id is missing',
    ]);
    expect(await db.query(`select nspname from pg_namespace where nspname = 'bpetl'`)).toEqual([]);
    expect(await db.query(APPLICATION_COLUMNS)).toEqual(beforeSecond);
    expect(before.length).toBeGreaterThan(0);
  });
});

describe('ON DELETE SET NULL and CASCADE on an adopted database', () => {
  it('catches what the database nulls or deletes, and repair puts it back once the team exists again', async () => {
    const db = await platform();
    await db.query(`
      insert into leagues (league_id, league_name) values ('NSTF', 'North Shore');
      insert into clubs (name) values ('Tennaqua');
      insert into series (name, display_name) values ('Series 1', 'Series 1');
      insert into series_leagues (series_id, league_id) select s.id, l.id from series s, leagues l;
      insert into teams (club_id, series_id, league_id, team_name, display_name)
        select c.id, s.id, l.id, 'Tennaqua S1', 'Tennaqua S1' from clubs c, series s, leagues l;
      insert into users (email, password_hash) values ('a@example.com', 'x');
      insert into user_contexts (user_id, league_id, team_id, series_id)
        select u.id, t.league_id, t.id, t.series_id from users u, teams t;
      insert into saved_lineups (user_id, team_id, lineup_name, lineup_data)
        select u.id, t.id, 'Week 1', '{"lines": [1, 2]}' from users u, teams t;`);
    await migrate(db.url);
    app = await createApp(loadConfig({}), db.url);
    const issues = await validateConstraints(app.db.manager);
    expect(issues.filter((i) => i.check === 'CASCADE_REFERENCE')).toEqual([
      expect.objectContaining({ subject: 'saved_lineups.team_id', severity: 'WARNING' }),
    ]);

    await db.query(`delete from teams`);
    expect(await db.query(`select team_id from user_contexts`)).toEqual([{ team_id: null }]);
    expect(await db.query(`select id from saved_lineups`)).toEqual([]);
    const events = await db.query<{ reference: string; cause: string; context: { teamName: string } }>(
      `select reference, cause, context from bpetl.orphan_events order by reference`,
    );
    expect(events.map((e) => [e.reference, e.cause, e.context.teamName])).toEqual([
      ['saved_lineups.team_id', 'CASCADE', 'Tennaqua S1'],
      ['user_contexts.team_id', 'SET_NULL', 'Tennaqua S1'],
    ]);

    await db.query(`
      insert into teams (club_id, series_id, league_id, team_name, display_name)
        select c.id, s.id, l.id, 'Tennaqua S1', 'Tennaqua S1' from clubs c, series s, leagues l`);
    const report = await repairOrphans(app.db);
    expect(report.repaired.map((r) => [r.reference, r.strategy])).toEqual(
      expect.arrayContaining([
        ['saved_lineups.team_id', 'natural_key'],
        ['user_contexts.team_id', 'natural_key'],
      ]),
    );
    const [team] = await db.query<{ id: number }>(`select id from teams`);
    expect(await db.query(`select team_id from user_contexts`)).toEqual([{ team_id: team!.id }]);
    expect(await db.query(`select team_id, lineup_name, lineup_data from saved_lineups`)).toEqual([
      { team_id: team!.id, lineup_name: 'Week 1', lineup_data: { lines: [1, 2] } },
    ]);

    const repaired = await repairConstraints(app.db);
    expect(repaired.actions).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'CHANGE_ON_DELETE', table: 'saved_lineups' })]),
    );
    const [fk] = await db.query<{ action: string }>(
      `select confdeltype as action from pg_constraint where conname = 'saved_lineups_team_id_fkey'`,
    );
    expect(fk!.action).toBe('a');
    expect(
      (await validateConstraints(app.db.manager)).filter((i) => i.check === 'CASCADE_REFERENCE'),
    ).toEqual([]);
  });
});

describe('rows a CASCADE deletes below a protected row', () => {
  it('are kept with its event and re-inserted with it, audited, and that repair is not undone by deleting', async () => {
    const db = await platform();
    // A platform whose polls.team_id has a foreign key ON DELETE CASCADE: a deleted team takes its
    // polls, and each poll its choices and responses (the dump's own ON DELETE CASCADE keys).
    await db.query(`
      alter table polls add constraint polls_team_id_fkey foreign key (team_id) references teams (id) on delete cascade;
      insert into leagues (league_id, league_name) values ('NSTF', 'North Shore');
      insert into clubs (name) values ('Tennaqua');
      insert into series (name, display_name) values ('Series 1', 'Series 1');
      insert into series_leagues (series_id, league_id) select s.id, l.id from series s, leagues l;
      insert into teams (club_id, series_id, league_id, team_name, display_name)
        select c.id, s.id, l.id, 'Tennaqua S1', 'Tennaqua S1' from clubs c, series s, leagues l;
      insert into users (email, password_hash) values ('a@example.com', 'x');
      insert into polls (team_id, created_by, question)
        select t.id, u.id, q from teams t, users u, (values ('Dinner?'), ('Carpool?')) v(q);
      insert into poll_choices (poll_id, choice_text) select p.id, c from polls p, (values ('Yes'), ('No')) v(c);
      insert into poll_responses (poll_id, choice_id)
        select c.poll_id, c.id from poll_choices c where c.choice_text = 'Yes';`);
    await migrate(db.url);
    app = await createApp(loadConfig({}), db.url);
    const spec = await loadProtectionSpec(app.db.manager);
    expect(spec.find((r) => r.name === 'polls.team_id')).toMatchObject({
      origin: 'FOREIGN_KEY',
      onDelete: 'CASCADE',
    });
    const POLLS = `
      select p.id, p.created_by, p.question, p.created_at,
             (select jsonb_agg(c order by c.id) from poll_choices c where c.poll_id = p.id) as choices,
             (select jsonb_agg(r order by r.id) from poll_responses r where r.poll_id = p.id) as responses
        from polls p order by p.id`;
    const before = await db.query(POLLS);
    expect(before).toHaveLength(2);

    await db.query(`delete from teams`);
    expect(await db.query(`select count(*)::int as n from poll_choices`)).toEqual([{ n: 0 }]);
    const events = await db.query<{ id: string; cause: string }>(
      `select id::text, cause from bpetl.orphan_events where reference = 'polls.team_id' order by id`,
    );
    expect(events.map((e) => e.cause)).toEqual(['CASCADE', 'CASCADE']);
    const lost = await db.query<{ table_name: string; depth: number; n: number }>(
      `select table_name, depth, count(*)::int as n from bpetl.lost_rows group by 1, 2 order by 1`,
    );
    expect(lost).toEqual([
      { table_name: 'poll_choices', depth: 1, n: 4 },
      { table_name: 'poll_responses', depth: 1, n: 2 },
    ]);

    await db.query(`
      insert into teams (club_id, series_id, league_id, team_name, display_name)
        select c.id, s.id, l.id, 'Tennaqua S1', 'Tennaqua S1' from clubs c, series s, leagues l`);
    const dry = await repairOrphans(app.db, { dryRun: true });
    expect(dry.repaired.map((r) => r.reinserted)).toEqual([4, 4]);
    expect(await db.query(`select count(*)::int as n from polls`)).toEqual([{ n: 0 }]);
    const report = await repairOrphans(app.db);
    expect(report.repaired.map((r) => [r.reference, r.strategy, r.reinserted])).toEqual([
      ['polls.team_id', 'natural_key', 4],
      ['polls.team_id', 'natural_key', 4],
    ]);
    expect(await db.query(POLLS)).toEqual(before);
    const [team] = await db.query<{ id: number }>(`select id from teams`);
    expect(await db.query(`select distinct team_id from polls`)).toEqual([{ team_id: team!.id }]);
    // Audited: the repair says what it put back, and each row kept below names it.
    const audit = await db.query<{ id: string; reinserted: number }>(
      `select id::text, reinserted from bpetl.repairs where reference = 'polls.team_id' order by id`,
    );
    expect(audit.map((a) => a.reinserted)).toEqual([4, 4]);
    expect(
      await db.query(
        `select count(*)::int as n from bpetl.lost_rows where restored_at is not null and repair_id is not null`,
      ),
    ).toEqual([{ n: 6 }]);
    expect(
      await db.query(`select count(*)::int as n from bpetl.orphan_events where resolved_at is null`),
    ).toEqual([{ n: 0 }]);
    const refused = await undoRepair(app.db, Number(audit[0]!.id)).catch((err: unknown) => err);
    expect(refused).toMatchObject({ code: 'INVALID_INPUT' });
    expect((refused as Error).message).toMatch(/re-inserted polls row .* would\s+delete them again/);
    // A second repair finds nothing left to put back.
    expect((await repairOrphans(app.db)).repaired).toEqual([]);
  });
});

describe('the protection spec on an adopted database', () => {
  it('is listed with origin and trigger state, and operators add, remove and rediscover entries', async () => {
    const db = await platform();
    await migrate(db.url);
    app = await createApp(loadConfig({}), db.url);
    const yoga = createYogaServer(app);
    const gql = async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await yoga.fetch('http://yoga/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data: Record<string, Record<string, unknown>> };
    };
    const STATUS = `references { name origin covered onDelete } skipped { name reason }`;
    const { data } = await gql(`{ protection { ${STATUS} } }`);
    const status = data.protection as {
      references: Array<{ name: string; origin: string; covered: boolean }>;
      skipped: Array<{ name: string; reason: string }>;
    };
    expect(status.references.every((r) => r.covered)).toBe(true);
    expect(status.references.find((r) => r.name === 'user_instructions.team_id')?.origin).toBe('FOREIGN_KEY');
    expect(status.skipped).toEqual([
      { name: 'user_contexts.active_team_id', reason: 'column user_contexts.active_team_id does not exist' },
    ]);

    const added = await gql(
      `mutation { addProtectedReference(column: "users.league_id", references: "leagues.id") {
         ... on ProtectionStatus { ${STATUS} } ... on Error { code message } } }`,
    );
    const entry = (added.data.addProtectedReference as typeof status).references.find(
      (r) => r.name === 'users.league_id',
    );
    expect(entry).toMatchObject({ origin: 'OPERATOR', covered: true });
    const refused = await gql(
      `mutation { addProtectedReference(column: "activity_log.team_id", references: "teams.id") {
         ... on Error { code message } } }`,
    );
    expect(refused.data.addProtectedReference).toMatchObject({ code: 'INVALID_INPUT' });

    await gql(
      `mutation { removeProtectedReference(name: "user_instructions.team_id") { ... on Error { code } } }`,
    );
    await gql(`mutation { discoverProtection { ... on Error { code } } }`);
    const cli = await runCli(['protection', 'status', '--json'], { DATABASE_URL: db.url });
    expect(cli.status).toBe(0);
    const printed = JSON.parse(cli.stdout) as typeof status;
    expect(printed.references.map((r) => r.name)).not.toContain('user_instructions.team_id');
    expect(printed.references.find((r) => r.name === 'users.league_id')).toMatchObject({
      origin: 'OPERATOR',
      covered: true,
    });
    expect(printed.references.find((r) => r.name === 'captain_messages.team_id')).toMatchObject({
      origin: 'FOREIGN_KEY',
      covered: true,
    });
    expect(printed.skipped).toContainEqual({
      name: 'user_instructions.team_id',
      reason: 'removed by an operator',
    });

    const back = await runCli(
      ['protection', 'add', 'user_instructions.team_id', '--references', 'teams.id', '--rematch', 'team'],
      { DATABASE_URL: db.url },
    );
    expect(back.status).toBe(0);
    expect(back.stdout).toMatch(/user_instructions\.team_id .* OPERATOR .* triggers on/);
    // A trigger that no longer fires under replica mode shows in the entries it served.
    await db.query(`alter table captain_messages enable trigger bpetl_orphan_source_update`);
    const { data: after } = await gql(`{ protection { ${STATUS} } }`);
    const entries = (after.protection as typeof status).references;
    expect(entries.find((r) => r.name === 'captain_messages.team_id')?.covered).toBe(false);
    expect(entries.find((r) => r.name === 'polls.team_id')?.covered).toBe(true);
  }, 60_000);
});
