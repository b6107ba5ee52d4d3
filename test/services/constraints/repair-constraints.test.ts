import { beforeAll, describe, expect, it } from 'vitest';

import { repairConstraints } from '../../../src/services/constraints/repair.ts';
import { validateConstraints } from '../../../src/services/constraints/validate.ts';
import { scanOrphans } from '../../../src/services/orphans/scan.ts';
import { useDataSource } from '../../helpers/data-source.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { seedSafetyData, tableChecksum, userRowCounts } from '../../helpers/seed-safety.ts';

const db = useTestDatabase();
const ds = useDataSource(db);

const CHECKED_TABLES = [
  'leagues',
  'clubs',
  'club_leagues',
  'teams',
  'players',
  'polls',
  'schedule',
  'saved_lineups',
];

async function checksums(): Promise<string[]> {
  return Promise.all(CHECKED_TABLES.map((t) => tableChecksum(db.pool, t)));
}

async function teamOf(league: string, club: string, series: string): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `select t.id from teams t join clubs c on c.id = t.club_id join series s on s.id = t.series_id
      join leagues l on l.id = t.league_id where l.league_id = $1 and c.name = $2 and s.name = $3 order by t.id limit 1`,
    [league, club, series],
  );
  return row!.id;
}

/**
 * The legacy shape from the issue: no unique key on teams, no foreign key on polls.team_id, a club
 * entered twice with different spacing, and duplicate teams for one natural key, each with user data.
 */
beforeAll(async () => {
  await seedSafetyData(db.pool, { clubs: 3, series: 2 });
  await db.query(`
    alter table teams drop constraint unique_team_club_series_league;
    alter table polls drop constraint polls_team_id_fkey;
    alter table clubs drop constraint unique_club_name_key;
  `);
  const original = await teamOf('ALPHA', 'Club 1', 'Series 1');
  await db.query(
    `with dup as (
       insert into teams (club_id, series_id, league_id, team_name)
       select club_id, series_id, league_id, team_name || ' (again)' from teams where id = $1 returning id),
     u as (insert into users (email) values ('dup@example.test') returning id),
     p as (insert into players (tenniscores_player_id, league_id, club_id, series_id, team_id)
           select 'ext-dup', t.league_id, t.club_id, t.series_id, dup.id from teams t, dup where t.id = $1 returning id),
     poll as (insert into polls (team_id, created_by, question) select dup.id, u.id, 'dup?' from dup, u returning id),
     c as (insert into poll_choices (poll_id, choice_text) select id, 'y' from poll returning id, poll_id)
     insert into poll_responses (poll_id, choice_id, player_id) select c.poll_id, c.id, p.id from c, p`,
    [original],
  );
  await db.query(`insert into saved_lineups (team_id, lineup_name) select max(id), 'dup lineup' from teams`);
  // The same club with other spacing and case, linked to both leagues, owning a BETA team.
  await db.query(`
    insert into clubs (name) values ('club  1 ');
    insert into club_leagues (club_id, league_id) select c.id, l.id from clubs c cross join leagues l where c.name = 'club  1 ';
    insert into teams (club_id, series_id, league_id, team_name)
      select c.id, s.id, s.league_id, 'club 1 - 2 (legacy)' from clubs c, series s join leagues l on l.id = s.league_id
       where c.name = 'club  1 ' and s.name = 'Series 2' and l.league_id = 'BETA';
    insert into polls (team_id, question) select max(id), 'legacy club poll' from teams;
    insert into schedule (league_id, match_date, home_team, away_team, home_team_id)
      select league_id, '2025-09-01', 'club  1  Practice - Series 2', '', id from teams where team_name = 'club 1 - 2 (legacy)';
  `);
});

describe('repairConstraints on a legacy database', () => {
  it('is reported issue by issue by validateConstraints', async () => {
    const issues = await validateConstraints(ds.current.manager);
    expect(issues.map((i) => [i.check, i.table, i.subject, i.rows])).toEqual([
      ['MISSING_CONSTRAINT', 'teams', 'unique_team_club_series_league', 0],
      ['DUPLICATE_KEY', 'teams', 'unique_team_club_series_league', 1],
      ['MISSING_FOREIGN_KEY', 'polls', 'polls.team_id', 0],
    ]);
  });

  it('plans in a dry run and changes nothing', async () => {
    const before = await checksums();
    const plan = await repairConstraints(ds.current, { dryRun: true });
    expect(plan.dryRun).toBe(true);
    expect(plan.actions.map((a) => [a.kind, a.table, a.rows])).toEqual([
      ['MERGE_DUPLICATES', 'clubs', 1],
      ['MERGE_DUPLICATES', 'teams', 2],
      ['ADD_CONSTRAINT', 'teams', 0],
      ['ADD_CONSTRAINT', 'polls', 0],
    ]);
    expect(await checksums()).toEqual(before);
    expect(await db.query(`select * from bpetl.constraint_repairs`)).toEqual([]);
    expect((await validateConstraints(ds.current.manager)).length).toBe(3);
  });

  it('merges duplicates into the lowest id, adds the constraints, and loses no user row', async () => {
    const counts = await userRowCounts(db.pool);
    const survivor = await teamOf('ALPHA', 'Club 1', 'Series 1');
    const betaSurvivor = await teamOf('BETA', 'Club 1', 'Series 2');
    const [{ n: teamsBefore }] = await db.query<{ n: number }>(`select count(*)::int as n from teams`);

    const result = await repairConstraints(ds.current, { dryRun: false });
    expect(result.actions.map((a) => [a.kind, a.table, a.rows])).toEqual([
      ['MERGE_DUPLICATES', 'clubs', 1],
      ['MERGE_DUPLICATES', 'teams', 2],
      ['ADD_CONSTRAINT', 'teams', 0],
      ['ADD_CONSTRAINT', 'polls', 0],
    ]);
    expect(result.actions[1]!.detail).toContain('polls.team_id 2');
    expect(result.actions[3]!.detail).toContain('validated');

    expect(await userRowCounts(db.pool)).toEqual(counts);
    expect(await db.query(`select count(*)::int as n from teams`)).toEqual([{ n: teamsBefore - 2 }]);
    expect(
      await db.query(`select count(*)::int as n from clubs where bpetl.name_key(name) = 'club 1'`),
    ).toEqual([{ n: 1 }]);
    const polls = await db.query<{ question: string; team_id: number }>(
      `select question, team_id from polls where question in ('dup?', 'legacy club poll') order by question`,
    );
    expect(polls).toEqual([
      { question: 'dup?', team_id: survivor },
      { question: 'legacy club poll', team_id: betaSurvivor },
    ]);
    expect(await db.query(`select team_id from players where tenniscores_player_id = 'ext-dup'`)).toEqual([
      { team_id: survivor },
    ]);
    expect(await validateConstraints(ds.current.manager)).toEqual([]);
    expect((await scanOrphans(ds.current.manager)).total).toBe(0);
    const audit = await db.query(`select kind, table_name, rows from bpetl.constraint_repairs order by id`);
    expect(audit).toHaveLength(4);
  });

  it('rolls a dry run back to its savepoint inside a caller transaction, which goes on', async () => {
    await db.query(`alter table captain_messages drop constraint captain_messages_team_id_fkey`);
    try {
      const plan = await ds.current.transaction(async (manager) => {
        const result = await repairConstraints(ds.current, { dryRun: true, manager });
        // The caller's transaction is still usable after the rolled-back savepoint.
        await manager.query(`select 1`);
        return result;
      });
      expect(plan.actions).toEqual([
        expect.objectContaining({ kind: 'ADD_CONSTRAINT', table: 'captain_messages' }),
      ]);
      expect((await validateConstraints(ds.current.manager)).map((i) => i.subject)).toEqual([
        'captain_messages.team_id',
      ]);
    } finally {
      await db.query(
        `alter table captain_messages add constraint captain_messages_team_id_fkey foreign key (team_id) references teams (id)`,
      );
    }
  });

  it('does nothing the second time', async () => {
    const before = await checksums();
    expect(await repairConstraints(ds.current)).toEqual({ actions: [], dryRun: false });
    expect(await checksums()).toEqual(before);
  });

  it('adds a foreign key NOT VALID while rows dangle, and validates it once they are repaired', async () => {
    await db.query(`alter table saved_lineups drop constraint saved_lineups_team_id_fkey`);
    await db.query(`insert into saved_lineups (team_id, lineup_name) values (987654, 'orphan')`);
    const first = await repairConstraints(ds.current);
    expect(first.actions).toEqual([
      expect.objectContaining({ kind: 'ADD_CONSTRAINT', table: 'saved_lineups', rows: 1 }),
    ]);
    expect(first.actions[0]!.detail).toContain('NOT VALID');
    expect(await repairConstraints(ds.current)).toEqual({ actions: [], dryRun: false });
    await db.query(`update saved_lineups set team_id = (select min(id) from teams) where team_id = 987654`);
    const second = await repairConstraints(ds.current);
    expect(second.actions).toEqual([
      expect.objectContaining({
        kind: 'ADD_CONSTRAINT',
        detail: 'validated foreign key saved_lineups_team_id_fkey',
      }),
    ]);
  });
});
