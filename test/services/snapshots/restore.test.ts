import { beforeEach, describe, expect, it } from 'vitest';

import { scanOrphans } from '../../../src/services/orphans/scan.ts';
import { restoreUserData } from '../../../src/services/snapshots/restore.ts';
import { createSnapshot } from '../../../src/services/snapshots/snapshots.ts';
import { useDataSource } from '../../helpers/data-source.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { seedSafetyData, tableChecksum, userRowCounts } from '../../helpers/seed-safety.ts';

const db = useTestDatabase();
const ds = useDataSource(db);

const USER_TABLES = [
  'polls',
  'captain_messages',
  'schedule',
  'saved_lineups',
  'player_availability',
  'poll_responses',
];

/** What a legacy ETL does: delete and re-insert teams and players, foreign keys bypassed. */
async function recreateTeamsAndPlayers(): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    await client.query('set local session_replication_role = replica');
    await client.query(`create temp table old_teams on commit drop as select * from teams`);
    await client.query(`create temp table old_players on commit drop as select * from players`);
    await client.query(`delete from players`);
    await client.query(`delete from teams`);
    await client.query(
      `insert into teams (club_id, series_id, league_id, team_name, team_alias)
       select club_id, series_id, league_id, team_name, team_alias from old_teams order by id desc`,
    );
    await client.query(
      `insert into players (tenniscores_player_id, first_name, last_name, league_id, club_id, series_id, team_id)
       select o.tenniscores_player_id, o.first_name, o.last_name, o.league_id, o.club_id, o.series_id, t.id
         from old_players o join old_teams ot on ot.id = o.team_id
         join teams t on (t.club_id, t.series_id, t.league_id) = (ot.club_id, ot.series_id, ot.league_id)
        order by o.id desc`,
    );
    await client.query('commit');
  } finally {
    client.release();
  }
}

async function snapshotCountAndPolls(): Promise<[unknown, string]> {
  const [row] = await db.query(`select count(*)::int as n from bpetl.snapshots`);
  return [row, await tableChecksum(db.pool, 'polls')];
}

/** Each team reference as (reference, row, natural key of the team it points at). */
async function teamKeys(): Promise<string[]> {
  const rows = await db.query<{ k: string }>(
    `select 'poll ' || p.id || ' ' || coalesce(l.league_id || '/' || c.name || '/' || s.name, 'DANGLING') as k
       from polls p left join teams t on t.id = p.team_id left join leagues l on l.id = t.league_id
       left join clubs c on c.id = t.club_id left join series s on s.id = t.series_id
     union all
     select 'practice ' || x.id || ' ' || coalesce(l.league_id || '/' || c.name || '/' || s.name, 'DANGLING')
       from schedule x left join teams t on t.id = x.home_team_id left join leagues l on l.id = t.league_id
       left join clubs c on c.id = t.club_id left join series s on s.id = t.series_id where x.away_team = ''
     union all
     select 'context ' || u.user_id || ' ' || coalesce(l.league_id || '/' || c.name || '/' || s.name, 'DANGLING')
       from user_contexts u left join teams t on t.id = u.active_team_id left join leagues l on l.id = t.league_id
       left join clubs c on c.id = t.club_id left join series s on s.id = t.series_id
     union all
     select 'response ' || r.id || ' ' || coalesce(p.tenniscores_player_id || '/' || p.league_id, 'DANGLING')
       from poll_responses r left join players p on p.id = r.player_id
     order by 1`,
  );
  return rows.map((r) => r.k);
}

beforeEach(async () => {
  await db.query(
    `truncate leagues, clubs, series, club_leagues, series_leagues, teams, players, schedule, users, polls,
       poll_choices, poll_responses, captain_messages, user_player_associations, player_availability,
       user_contexts, saved_lineups, bpetl.snapshots, bpetl.snapshot_rows, bpetl.restore_actions
       restart identity cascade`,
  );
  await seedSafetyData(db.pool, { clubs: 3, series: 2, perTeam: 2 });
});

describe('restoreUserData', () => {
  it('re-points every user row to the same natural key after teams and players got new ids', async () => {
    const before = await teamKeys();
    const counts = await userRowCounts(db.pool);
    const snapshot = await createSnapshot(ds.current, { note: 'before legacy import' });
    await recreateTeamsAndPlayers();
    expect((await scanOrphans(ds.current.manager)).total).toBeGreaterThan(0);

    // Every row described (`rows: null`), not only the first 20.
    const result = await restoreUserData(ds.current, { snapshotId: snapshot.id, rows: null });
    expect(result).toMatchObject({ snapshotId: snapshot.id, dryRun: false, unmatched: 0 });
    expect(result.remapped).toBeGreaterThan(0);
    expect(result.checked).toBe(result.remapped + result.unchanged);
    expect(await teamKeys()).toEqual(before);
    expect(await userRowCounts(db.pool)).toEqual(counts);
    expect((await scanOrphans(ds.current.manager)).total).toBe(0);

    const [{ n, strategies }] = await db.query<{ n: number; strategies: string[] }>(
      `select count(*)::int as n, array_agg(distinct strategy order by strategy) as strategies
         from bpetl.restore_actions where snapshot_id = $1`,
      [snapshot.id],
    );
    expect(n).toBe(result.remapped);
    expect(strategies).toEqual(['external_id', 'natural_key']);
    const polls = result.byReference.find((r) => r.reference === 'polls.team_id');
    expect(polls).toEqual({ reference: 'polls.team_id', remapped: 24, unmatched: 0 });
    // In words: the team the snapshot knew, the one it points at now, and how.
    expect(result.rows).toHaveLength(result.remapped);
    const [poll] = await db.query<{ id: number; team_id: number; team_name: string; league_id: string }>(
      `select p.id, p.team_id, t.team_name, l.league_id from polls p join teams t on t.id = p.team_id
         join leagues l on l.id = t.league_id where p.id = any($1::int[]) order by p.id limit 1`,
      [result.rows.filter((r) => r.reference === 'polls.team_id').map((r) => Number(r.rowId))],
    );
    expect(result.rows.find((r) => r.rowId === String(poll!.id) && r.reference === 'polls.team_id')).toEqual({
      reference: 'polls.team_id',
      rowId: String(poll!.id),
      outcome: 'REMAPPED',
      description:
        `poll ${poll!.id} of team ${poll!.team_name} (${poll!.league_id}): re-pointed to team ${poll!.team_name} ` +
        `(${poll!.league_id}), id ${poll!.team_id} (matched on the same league, club and series)`,
    });

    // Nothing left to do the second time.
    const again = await restoreUserData(ds.current, { snapshotId: snapshot.id });
    expect(again).toMatchObject({ remapped: 0, unmatched: 0, unchanged: result.checked });
  });

  it('in a dry run reports the same plan and changes nothing', async () => {
    const snapshot = await createSnapshot(ds.current, {});
    await recreateTeamsAndPlayers();
    const sums = await Promise.all(USER_TABLES.map((t) => tableChecksum(db.pool, t)));
    const result = await restoreUserData(ds.current, { snapshotId: snapshot.id, dryRun: true });
    expect(result.dryRun).toBe(true);
    // The first 20 rows are described one by one; the counts cover all.
    expect(result.rows).toHaveLength(20);
    expect(result.remapped).toBeGreaterThan(20);
    expect(result.remapped).toBeGreaterThan(0);
    expect(await Promise.all(USER_TABLES.map((t) => tableChecksum(db.pool, t)))).toEqual(sums);
    expect(await db.query(`select * from bpetl.restore_actions`)).toEqual([]);
    const real = await restoreUserData(ds.current, { snapshotId: snapshot.id });
    // The same plan, the rows in the indicative instead of the conditional.
    expect({ ...real, dryRun: true, rows: [] }).toEqual({ ...result, rows: [] });
    expect(real.rows.map((r) => r.description.replace(': re-pointed', ': would be re-pointed'))).toEqual(
      result.rows.map((r) => r.description),
    );
  });

  it('leaves rows unmatched when two teams carry the natural key, and deletes nothing', async () => {
    const snapshot = await createSnapshot(ds.current, {});
    const [{ id: victim, team_name: victimName }] = await db.query<{ id: number; team_name: string }>(
      `select t.id, t.team_name from teams t join clubs c on c.id = t.club_id join series s on s.id = t.series_id
        join leagues l on l.id = t.league_id where c.name = 'Club 1' and s.name = 'Series 1' and l.league_id = 'ALPHA'`,
    );
    await db.query(`alter table teams drop constraint unique_team_club_series_league`);
    try {
      const client = await db.pool.connect();
      try {
        await client.query('begin');
        await client.query('set local session_replication_role = replica');
        await client.query(
          `insert into teams (club_id, series_id, league_id, team_name)
           select club_id, series_id, league_id, team_name from teams where id = $1
           union all select club_id, series_id, league_id, team_name from teams where id = $1`,
          [victim],
        );
        await client.query(`delete from teams where id = $1`, [victim]);
        await client.query('commit');
      } finally {
        client.release();
      }
      const counts = await userRowCounts(db.pool);
      const pollsSum = await tableChecksum(db.pool, 'polls');
      const result = await restoreUserData(ds.current, { snapshotId: snapshot.id });
      // 2 polls, 2 messages, 2 practices, 2 lineups, 2 contexts pointed at the victim.
      expect(result.unmatched).toBe(10);
      expect(result.remapped).toBe(0);
      // Each in words, with the team the snapshot knew it by.
      expect(result.rows).toHaveLength(10);
      const poll = result.rows.find((r) => r.reference === 'polls.team_id')!;
      expect(poll).toMatchObject({ outcome: 'UNMATCHED' });
      expect(poll.description).toBe(
        `poll ${poll.rowId} of team ${victimName} (ALPHA): several teams fit it, so none is guessed; left as it is`,
      );
      expect(await tableChecksum(db.pool, 'polls')).toBe(pollsSum);
      expect(await userRowCounts(db.pool)).toEqual(counts);
      const [{ n }] = await db.query<{ n: number }>(
        `select count(*)::int as n from polls where team_id = $1`,
        [victim],
      );
      expect(n).toBe(2);
    } finally {
      await db.query(`delete from teams t using teams d where t.club_id = d.club_id and t.series_id = d.series_id
                        and t.league_id = d.league_id and t.id > d.id`);
      await db.query(
        `alter table teams add constraint unique_team_club_series_league unique (club_id, series_id, league_id)`,
      );
    }
  });

  it('moves rows of a retired team to its one active successor, and keeps them when there are two', async () => {
    const [{ id: retired }] = await db.query<{ id: number }>(
      `select t.id from teams t join clubs c on c.id = t.club_id join series s on s.id = t.series_id
        join leagues l on l.id = t.league_id where c.name = 'Club 2' and s.name = 'Series 1' and l.league_id = 'ALPHA'`,
    );
    const snapshot = await createSnapshot(ds.current, {});
    // The feed renamed the series: the team comes back under the same name in a new series.
    await db.query(`update teams set is_active = false where id = $1`, [retired]);
    await db.query(
      `insert into series (name, league_id) select 'Division 1', league_id from teams where id = $1`,
      [retired],
    );
    const [{ id: successor }] = await db.query<{ id: number }>(
      `insert into teams (club_id, series_id, league_id, team_name)
       select t.club_id, (select max(id) from series), t.league_id, t.team_name from teams t where t.id = $1
       returning id`,
      [retired],
    );
    const dry = await restoreUserData(ds.current, { snapshotId: snapshot.id, dryRun: true });
    expect(dry).toMatchObject({ remapped: 10, unmatched: 0 });
    await db.query(
      `insert into series (name, league_id) select 'Division 9', league_id from teams where id = $1`,
      [retired],
    );
    await db.query(
      `insert into teams (club_id, series_id, league_id, team_alias, team_name)
       select t.club_id, (select max(id) from series), t.league_id, t.team_name, 'Other' from teams t where t.id = $1`,
      [retired],
    );
    // Two successors now: nothing moves, the rows stay on the retired team.
    const ambiguous = await restoreUserData(ds.current, { snapshotId: snapshot.id });
    expect(ambiguous).toMatchObject({ remapped: 0, unmatched: 0 });
    await db.query(`delete from teams where team_name = 'Other'`);
    const result = await restoreUserData(ds.current, { snapshotId: snapshot.id });
    expect(result.remapped).toBe(10);
    const [{ n }] = await db.query<{ n: number }>(`select count(*)::int as n from polls where team_id = $1`, [
      successor,
    ]);
    expect(n).toBe(2);
    const strategies = await db.query(`select distinct strategy from bpetl.restore_actions`);
    expect(strategies).toEqual([{ strategy: 'successor' }]);
  });

  it('leaves alone a row a user re-pointed since the snapshot', async () => {
    const snapshot = await createSnapshot(ds.current, {});
    await db.query(`update polls set team_id = (select max(id) from teams) where id = 1`);
    const sum = await tableChecksum(db.pool, 'polls');
    const result = await restoreUserData(ds.current, { snapshotId: snapshot.id });
    expect(result).toMatchObject({ remapped: 0, unmatched: 0 });
    expect(await tableChecksum(db.pool, 'polls')).toBe(sum);
  });

  it('re-points a reference a legacy ETL set to NULL', async () => {
    const snapshot = await createSnapshot(ds.current, {});
    const [{ team_id }] = await db.query<{ team_id: number }>(`select team_id from polls where id = 1`);
    await db.query(`update polls set team_id = null where id = 1`);
    const result = await restoreUserData(ds.current, { snapshotId: snapshot.id });
    expect(result.remapped).toBe(1);
    expect(await db.query(`select team_id from polls where id = 1`)).toEqual([{ team_id }]);
  });

  it('re-points availability to the same series by name after series got new ids', async () => {
    const snapshot = await createSnapshot(ds.current, {});
    const before = await db.query(
      `select a.id, s.name, l.league_id from player_availability a join series s on s.id = a.series_id
         join leagues l on l.id = s.league_id order by a.id`,
    );
    const client = await db.pool.connect();
    try {
      await client.query('begin');
      await client.query('set local session_replication_role = replica');
      await client.query(`create temp table old_series on commit drop as select * from series`);
      await client.query(`delete from series`);
      await client.query(
        `insert into series (name, league_id) select name, league_id from old_series order by id desc`,
      );
      for (const table of ['teams', 'players', 'series_leagues']) {
        await client.query(
          `update ${table} x set series_id = n.id from old_series o join series n
             on (n.name, n.league_id) = (o.name, o.league_id) where x.series_id = o.id`,
        );
      }
      await client.query('commit');
    } finally {
      client.release();
    }
    const result = await restoreUserData(ds.current, { snapshotId: snapshot.id });
    expect(result.byReference.find((r) => r.reference === 'player_availability.series_id')).toEqual({
      reference: 'player_availability.series_id',
      remapped: 24,
      unmatched: 0,
    });
    expect(result.remapped).toBe(24);
    const after = await db.query(
      `select a.id, s.name, l.league_id from player_availability a join series s on s.id = a.series_id
         join leagues l on l.id = s.league_id order by a.id`,
    );
    expect(after).toEqual(before);
    expect(await db.query(`select distinct strategy from bpetl.restore_actions`)).toEqual([
      { strategy: 'series_name' },
    ]);
  });

  it('joins the caller transaction: snapshot, restore and their audit roll back with it', async () => {
    const before = await snapshotCountAndPolls();
    await expect(
      ds.current.transaction(async (manager) => {
        const snapshot = await createSnapshot(ds.current, { manager });
        await manager.query(`update polls set team_id = null where id = 1`);
        const result = await restoreUserData(ds.current, { snapshotId: snapshot.id, manager });
        expect(result.remapped).toBe(1);
        throw new Error('the run failed later');
      }),
    ).rejects.toThrow('the run failed later');
    expect(await snapshotCountAndPolls()).toEqual(before);
    expect(await db.query(`select * from bpetl.restore_actions`)).toEqual([]);
  });

  it('is NOT_FOUND for an unknown snapshot', async () => {
    await expect(restoreUserData(ds.current, { snapshotId: 424242 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
