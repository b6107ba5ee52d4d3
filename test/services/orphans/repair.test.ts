import { beforeAll, describe, expect, it } from 'vitest';

import { emergencyRepair, repairOrphans } from '../../../src/services/orphans/repair.ts';
import { undoRepair } from '../../../src/services/orphans/repairs.ts';
import { useTestApp } from '../../helpers/app.ts';

const t = useTestApp();

beforeAll(async () => {
  // A legacy database: nothing stops a script from deleting referenced teams.
  for (const [table, fk] of [
    ['polls', 'polls_team_id_fkey'],
    ['captain_messages', 'captain_messages_team_id_fkey'],
    ['schedule', 'schedule_home_team_id_fkey'],
  ]) {
    await t.db.query(`alter table ${table} drop constraint ${fk}`);
  }
});

/** A team with its league, club and series (created when missing); returns its id. */
async function team(league: string, club: string, series: string, name: string, alias: string | null = null) {
  await t.db.query(`insert into leagues (league_id) values ($1) on conflict do nothing`, [league]);
  await t.db.query(`insert into clubs (name) values ($1) on conflict do nothing`, [club]);
  await t.db.query(
    `insert into series (name, league_id) select $1, id from leagues where league_id = $2 on conflict do nothing`,
    [series, league],
  );
  const [row] = await t.db.query<{ id: number }>(
    `insert into teams (club_id, series_id, league_id, team_name, team_alias)
     select c.id, s.id, l.id, $4, $5 from leagues l join series s on s.league_id = l.id and s.name = $3
       join clubs c on c.name = $2 where l.league_id = $1
     returning id`,
    [league, club, series, name, alias],
  );
  return row!.id;
}

async function poll(teamId: number): Promise<number> {
  const [row] = await t.db.query<{ id: number }>(
    `insert into polls (team_id, question) values ($1, 'Who can play?') returning id`,
    [teamId],
  );
  return row!.id;
}

async function pollTeam(pollId: number): Promise<number | null> {
  const [row] = await t.db.query<{ team_id: number | null }>(`select team_id from polls where id = $1`, [
    pollId,
  ]);
  return row!.team_id;
}

async function userRowCounts() {
  const [row] = await t.db.query(
    `select (select count(*) from polls)::int as polls, (select count(*) from captain_messages)::int as messages,
            (select count(*) from schedule)::int as schedule`,
  );
  return row;
}

describe('orphan repair', () => {
  it('re-points a row to today’s team with the natural key the trigger captured, and can undo it', async () => {
    const old = await team('APTA_R1', 'Valley Lo', 'Chicago 20', 'Valley Lo - 20');
    const pollId = await poll(old);
    // The classic ETL: delete and re-insert; the team comes back with a new id.
    await t.db.query(`delete from teams where id = $1`, [old]);
    const fresh = await team('APTA_R1', 'Valley Lo', 'Chicago 20', 'Valley Lo - 20');

    const plan = await repairOrphans(t.app.db, { dryRun: true });
    expect(plan.repaired).toMatchObject([{ rowId: pollId, oldValue: String(old), newValue: String(fresh) }]);
    // In words: the row, the team it pointed at (from the event's context), the new one and how.
    expect(plan.repaired[0]!.description).toBe(
      `poll ${pollId} of team Valley Lo - 20 (APTA_R1): would be re-pointed to team Valley Lo - 20 (APTA_R1), ` +
        `id ${fresh} (matched on the same league, club and series)`,
    );
    expect(await pollTeam(pollId)).toBe(old);

    const result = await t.graphql<{ repairOrphans: { repaired: Array<Record<string, unknown>> } }>(
      `mutation { repairOrphans { ... on RepairReport { repaired { repairId table rowId oldValue newValue strategy } } } }`,
    );
    const [action] = result.data!.repairOrphans.repaired;
    expect(action).toMatchObject({
      table: 'polls',
      rowId: String(pollId),
      oldValue: String(old),
      newValue: String(fresh),
      strategy: 'natural_key',
    });
    expect(await pollTeam(pollId)).toBe(fresh);
    const [event] = await t.db.query(
      `select resolution from bpetl.orphan_events where reference = 'polls.team_id' and row_id = $1`,
      [pollId],
    );
    expect(event).toEqual({ resolution: 'REPAIRED' });

    const undo = await t.graphql<{ undoRepair: Record<string, unknown> }>(
      `mutation ($id: ID!) { undoRepair(id: $id) { ... on Repair { id oldValue newValue undoneAt } ... on Error { code message } } }`,
      { id: action!.repairId },
    );
    expect(undo.data?.undoRepair, JSON.stringify(undo)).toMatchObject({
      oldValue: String(old),
      newValue: String(fresh),
    });
    expect(undo.data?.undoRepair.undoneAt).toEqual(expect.any(String));
    expect(await pollTeam(pollId)).toBe(old);
    // Restoring a dangling value is itself detected again.
    const [again] = await t.db.query(
      `select cause from bpetl.orphan_events where reference = 'polls.team_id' and row_id = $1 and resolved_at is null`,
      [pollId],
    );
    expect(again).toEqual({ cause: 'REPOINT' });

    const twice = await t.graphql<{ undoRepair: { code: string; message: string } }>(
      `mutation ($id: ID!) { undoRepair(id: $id) { ... on Error { code message } } }`,
      { id: action!.repairId },
    );
    expect(twice.data?.undoRepair).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/already undone/),
    });
  });

  it('matches by team name or alias within the league and club when the series changed', async () => {
    const old = await team('APTA_R2', 'Birchwood', 'Series 1', 'Birchwood S1', 'Birchwood 1');
    const pollId = await poll(old);
    await t.db.query(`delete from teams where id = $1`, [old]);
    const renamed = await team('APTA_R2', 'Birchwood', 'Division 1', 'Birchwood 1');
    const report = await repairOrphans(t.app.db, {});
    expect(report.repaired.find((r) => r.rowId === pollId)).toMatchObject({
      newValue: String(renamed),
      strategy: 'team_name',
    });
    expect(await pollTeam(pollId)).toBe(renamed);
  });

  it('repairs practice rows by parsing `<Club> Practice - <Series>` after an emergency scan', async () => {
    const old = await team('APTA_R3', 'Tennaqua', 'Chicago 22', 'Tennaqua - 22');
    const [practice] = await t.db.query<{ id: number }>(
      `insert into schedule (league_id, match_date, home_team, away_team, home_team_id)
       select league_id, '2025-01-10', 'Tennaqua Practice - Chicago 22', '', id from teams where id = $1 returning id`,
      [old],
    );
    // Protection off: the delete leaves no event; only a full scan finds the orphan.
    await t.db.query(`select bpetl.disable_protection()`);
    await t.db.query(`delete from teams where id = $1`, [old]);
    await t.db.query(`select bpetl.enable_protection()`);
    const fresh = await team('APTA_R3', 'Tennaqua', 'Chicago 22', 'Tennaqua - 22');
    await t.db.query(`update teams set team_name = 'Tennaqua 22 renamed' where id = $1`, [fresh]);

    const dry = await emergencyRepair(t.app.db, { dryRun: true });
    expect(dry.detected).toBeGreaterThanOrEqual(1);
    const [{ n }] = await t.db.query<{ n: number }>(
      `select count(*)::int as n from bpetl.orphan_events where cause = 'SCAN'`,
    );
    expect(n).toBe(0);

    const report = await emergencyRepair(t.app.db);
    expect(report.repaired.find((r) => r.table === 'schedule' && r.rowId === practice!.id)).toMatchObject({
      newValue: String(fresh),
      strategy: 'practice_name',
      description:
        `practice time ${practice!.id} of team of practice "Tennaqua Practice - Chicago 22" (APTA_R3): ` +
        `re-pointed to team Tennaqua 22 renamed (APTA_R3), id ${fresh} ` +
        '(matched on its own "<Club> Practice - <Series>" name)',
    });
    const [row] = await t.db.query(`select home_team_id from schedule where id = $1`, [practice!.id]);
    expect(row).toEqual({ home_team_id: fresh });
  });

  it('quarantines what matches nothing or more than one team, and deletes nothing', async () => {
    const before = await userRowCounts();
    const gone = await team('APTA_R4', 'Lost Club', 'Series 9', 'Lost Club 9');
    const lonely = await poll(gone);
    const twin = await team('APTA_R4', 'Twin Club', 'Series 1', 'Twin Club A');
    const twinPoll = await poll(twin);
    await t.db.query(`delete from teams where id = any($1::int[])`, [[gone, twin]]);
    // Two teams of the club now carry the old name: a guess would be wrong half the time.
    await team('APTA_R4', 'Twin Club', 'Series 2', 'Twin Club A');
    await team('APTA_R4', 'Twin Club', 'Series 3', 'Twin Club A');

    const report = await repairOrphans(t.app.db, {});
    expect(report.quarantined).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ rowId: lonely, missingRef: String(gone), reason: 'NO_MATCH' }),
        expect.objectContaining({ rowId: twinPoll, missingRef: String(twin) }),
      ]),
    );
    const said = new Map(report.quarantined.map((q) => [q.rowId, q.description]));
    expect(said.get(lonely)).toBe(
      `poll ${lonely} of team Lost Club 9 (APTA_R4): no team with that club and series now; kept and flagged`,
    );
    expect(said.get(twinPoll)).toBe(
      `poll ${twinPoll} of team Twin Club A (APTA_R4): no team with that club and series now; kept and flagged`,
    );
    expect(await pollTeam(lonely)).toBe(gone);
    expect(await pollTeam(twinPoll)).toBe(twin);
    const flags = await t.db.query(
      `select row_id::int from bpetl.quarantine where reference = 'polls.team_id' and released_at is null order by row_id`,
    );
    expect(flags).toEqual(expect.arrayContaining([{ row_id: lonely }, { row_id: twinPoll }]));
    const after = await userRowCounts();
    expect(after.polls).toBe((before!.polls as number) + 2);
    expect(after.messages).toBe(before!.messages);
    expect(after.schedule).toBe(before!.schedule);
    // A second run re-examines them and flags nothing twice.
    await repairOrphans(t.app.db, {});
    const [{ open }] = await t.db.query<{ open: number }>(
      `select count(*)::int as open from bpetl.quarantine where row_id = $1 and released_at is null`,
      [lonely],
    );
    expect(open).toBe(1);
  });

  it('refuses to undo an unknown repair or one whose row changed since', async () => {
    await expect(undoRepair(t.app.db, 999_999)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const old = await team('APTA_R5', 'Exmere', 'Series 5', 'Exmere 5');
    const pollId = await poll(old);
    await t.db.query(`delete from teams where id = $1`, [old]);
    const fresh = await team('APTA_R5', 'Exmere', 'Series 5', 'Exmere 5');
    const report = await repairOrphans(t.app.db, {});
    const repair = report.repaired.find((r) => r.rowId === pollId)!;
    const other = await team('APTA_R5', 'Exmere', 'Series 6', 'Exmere 6');
    await t.db.query(`update polls set team_id = $1 where id = $2`, [other, pollId]);
    await expect(undoRepair(t.app.db, repair.repairId!)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/no longer holds team_id = /),
    });
    expect(await pollTeam(pollId)).toBe(other);
    expect(fresh).not.toBe(other);
  });

  it('lists repairs newest first', async () => {
    const result = await t.graphql<{ repairs: Array<{ id: string; strategy: string }> }>(
      `{ repairs(first: 2) { id strategy table } }`,
    );
    const ids = result.data!.repairs.map((r) => Number(r.id));
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBeGreaterThan(ids[1]!);
  });
});
