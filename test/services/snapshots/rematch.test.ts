import { beforeEach, describe, expect, it } from 'vitest';

import { rematch } from '../../../src/services/snapshots/rematch.ts';
import { createSnapshot } from '../../../src/services/snapshots/snapshots.ts';
import { useDataSource } from '../../helpers/data-source.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { seedSafetyData } from '../../helpers/seed-safety.ts';

const db = useTestDatabase();
const ds = useDataSource(db);

async function teamId(league: string, club: string, series: string): Promise<number> {
  const [row] = await db.query<{ id: number }>(
    `select t.id from teams t join clubs c on c.id = t.club_id join series s on s.id = t.series_id
      join leagues l on l.id = t.league_id where l.league_id = $1 and c.name = $2 and s.name = $3`,
    [league, club, series],
  );
  return row!.id;
}

beforeEach(async () => {
  await db.query(
    `truncate leagues, clubs, series, club_leagues, series_leagues, teams, players, schedule, users, polls,
       poll_choices, poll_responses, captain_messages, user_player_associations, player_availability,
       user_contexts, saved_lineups, bpetl.snapshots, bpetl.snapshot_rows restart identity cascade`,
  );
  await seedSafetyData(db.pool, { clubs: 3, series: 2 });
});

describe('rematch', () => {
  it('uses the context the caller captured (club spelled differently), and writes nothing', async () => {
    const target = await teamId('BETA', 'Club 3', 'Series 2');
    const outcome = await rematch(ds.current.manager, [
      {
        reference: 'polls.team_id',
        rowId: 1,
        oldValue: '9999',
        context: { league: 'BETA', club: '  club   3 ', series: 'Series 2' },
      },
      {
        reference: 'polls.team_id',
        rowId: 2,
        oldValue: '9998',
        context: { league: 'BETA', club: 'Nowhere', series: 'Series 2' },
      },
    ]);
    expect(outcome.matched).toEqual([
      expect.objectContaining({ rowId: 1, newValue: String(target), strategy: 'natural_key' }),
    ]);
    expect(outcome.unmatched).toEqual([expect.objectContaining({ rowId: 2 })]);
    expect(await db.query(`select team_id from polls where id = 1`)).toEqual([{ team_id: 1 }]);
  });

  it('matches by team name or alias within league and club when the series is gone', async () => {
    const target = await teamId('ALPHA', 'Club 1', 'Series 2');
    const outcome = await rematch(ds.current.manager, [
      {
        reference: 'saved_lineups.team_id',
        rowId: 1,
        oldValue: '777',
        context: { league: 'ALPHA', club: 'Club 1', series: 'Old Series', teamAlias: 'club 1 2' },
      },
    ]);
    expect(outcome.matched[0]).toMatchObject({ newValue: String(target), strategy: 'team_name' });
  });

  it('takes context from the latest snapshot holding the row with that value', async () => {
    const [{ team_id: old }] = await db.query<{ team_id: number }>(`select team_id from polls where id = 3`);
    await createSnapshot(ds.current, {});
    const [{ club_id, series_id, league_id }] = await db.query<{
      club_id: number;
      series_id: number;
      league_id: number;
    }>(`select club_id, series_id, league_id from teams where id = $1`, [old]);
    // As a legacy ETL does: foreign keys bypassed, the team deleted under the poll.
    const client = await db.pool.connect();
    try {
      await client.query('set session_replication_role = replica');
      await client.query('delete from teams where id = $1', [old]);
    } finally {
      await client.query('reset session_replication_role');
      client.release();
    }
    const [{ id: fresh }] = await db.query<{ id: number }>(
      `insert into teams (club_id, series_id, league_id, team_name) values ($1, $2, $3, 'x') returning id`,
      [club_id, series_id, league_id],
    );
    const outcome = await rematch(ds.current.manager, [
      { reference: 'polls.team_id', rowId: 3, oldValue: String(old) },
    ]);
    expect(outcome.matched).toEqual([
      expect.objectContaining({ rowId: 3, newValue: String(fresh), strategy: 'natural_key' }),
    ]);
    // A value the snapshot never saw for that row gets no context from it.
    const other = await rematch(ds.current.manager, [
      { reference: 'polls.team_id', rowId: 3, oldValue: '123456' },
    ]);
    expect(other.unmatched).toHaveLength(1);
  });

  it('re-matches practice rows by their `<Club> Practice - <Series>` name', async () => {
    const target = await teamId('BETA', 'Club 2', 'Series 1');
    const [{ id }] = await db.query<{ id: number }>(
      `insert into schedule (league_id, match_date, home_team, away_team, home_team_id)
       values ((select id from leagues where league_id = 'BETA'), '2025-08-01', 'Club  2 Practice - Series 1', '', null)
       returning id`,
    );
    const outcome = await rematch(ds.current.manager, [
      { reference: 'schedule.home_team_id', rowId: id, oldValue: '4242' },
    ]);
    expect(outcome.matched).toEqual([
      expect.objectContaining({ newValue: String(target), strategy: 'practice_name' }),
    ]);
    // Without a league the name fits a team in each league: ambiguous, never guessed.
    await db.query(`update schedule set league_id = null where id = $1`, [id]);
    const ambiguous = await rematch(ds.current.manager, [
      { reference: 'schedule.home_team_id', rowId: id, oldValue: '4242' },
    ]);
    expect(ambiguous.unmatched).toHaveLength(1);
  });

  it('re-matches players by external id and league, using club and series between several', async () => {
    const [player] = await db.query<{ id: number; tenniscores_player_id: string }>(
      `select p.id, p.tenniscores_player_id from players p join leagues l on l.id = p.league_id
        where l.league_id = 'ALPHA' order by p.id limit 1`,
    );
    const ext = player!.tenniscores_player_id;
    const ok = await rematch(ds.current.manager, [
      {
        reference: 'poll_responses.player_id',
        rowId: 1,
        oldValue: '99999',
        context: { externalId: ext, league: 'ALPHA' },
      },
      {
        reference: 'poll_responses.player_id',
        rowId: 2,
        oldValue: '99999',
        context: { externalId: ext, league: 'BETA' },
      },
    ]);
    expect(ok.matched).toEqual([
      expect.objectContaining({ rowId: 1, newValue: String(player!.id), strategy: 'external_id' }),
    ]);
    expect(ok.unmatched).toEqual([expect.objectContaining({ rowId: 2 })]);
    // The same external id in a second series of the league: club and series decide.
    const [{ id: second }] = await db.query<{ id: number }>(
      `insert into players (tenniscores_player_id, league_id, club_id, series_id)
       select tenniscores_player_id, league_id, club_id, (select id from series s where s.league_id = p.league_id and s.id <> p.series_id limit 1)
         from players p where p.id = $1 returning id`,
      [player!.id],
    );
    const [{ name: secondSeries }] = await db.query<{ name: string }>(
      `select s.name from series s join players p on p.series_id = s.id where p.id = $1`,
      [second],
    );
    const several = await rematch(ds.current.manager, [
      {
        reference: 'poll_responses.player_id',
        rowId: 1,
        oldValue: '99999',
        context: { externalId: ext, league: 'ALPHA' },
      },
      {
        reference: 'player_availability.player_id',
        rowId: 1,
        oldValue: '99999',
        context: { externalId: ext, league: 'ALPHA', club: 'Club 1', series: secondSeries },
      },
    ]);
    expect(several.unmatched).toEqual([expect.objectContaining({ reference: 'poll_responses.player_id' })]);
    expect(several.matched).toEqual([expect.objectContaining({ newValue: String(second) })]);
  });

  it('keeps an account link while its external id exists, and re-matches series by name in the league', async () => {
    const [{ tenniscores_player_id: ext }] = await db.query<{ tenniscores_player_id: string }>(
      `select tenniscores_player_id from players limit 1`,
    );
    const [{ id: seriesId }] = await db.query<{ id: number }>(
      `select s.id from series s join leagues l on l.id = s.league_id where l.league_id = 'BETA' and s.name = 'Series 2'`,
    );
    const outcome = await rematch(ds.current.manager, [
      { reference: 'user_player_associations.tenniscores_player_id', rowId: 1, oldValue: ext },
      { reference: 'user_player_associations.tenniscores_player_id', rowId: 2, oldValue: 'gone-forever' },
      {
        reference: 'player_availability.series_id',
        rowId: 1,
        oldValue: '555',
        context: { series: 'Series 2', league: 'BETA' },
      },
      {
        reference: 'player_availability.series_id',
        rowId: 2,
        oldValue: '555',
        context: { series: 'Series 2' },
      },
    ]);
    expect(outcome.matched).toEqual([
      expect.objectContaining({ rowId: 1, newValue: ext, strategy: 'external_id_exists' }),
      expect.objectContaining({ rowId: 1, newValue: String(seriesId), strategy: 'series_name' }),
    ]);
    expect(outcome.unmatched.map((r) => r.rowId)).toEqual([2, 2]);
  });

  it('rejects an unknown reference or a non-integer row id before doing anything', async () => {
    await expect(
      rematch(ds.current.manager, [{ reference: 'nope.col', rowId: 1, oldValue: '1' }]),
    ).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    await expect(
      rematch(ds.current.manager, [{ reference: 'polls.team_id', rowId: 'x1', oldValue: '1' }]),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { index: 0, field: 'rowId' } });
    expect(await rematch(ds.current.manager, [])).toEqual({ matched: [], unmatched: [] });
  });
});
