import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type OrphanListener, startOrphanListener } from '../../../src/services/orphans/listener.ts';
import { useTestApp } from '../../helpers/app.ts';
import { committed, seedPolls, seedTeams, subscribeOrphans } from './helpers.ts';

const t = useTestApp();
let listener: OrphanListener;

beforeAll(async () => {
  listener = await startOrphanListener(t.app, { pollIntervalMs: 200 });
});
afterAll(async () => {
  await listener.close();
});

const subscribe = (after: string | null) =>
  subscribeOrphans((url, init) => Promise.resolve(t.yoga.fetch(url, init)), 'http://yoga/graphql', after);

async function lastEventId(): Promise<string> {
  const [row] = await t.db.query<{ id: string }>(
    `select coalesce(max(id), 0)::text as id from bpetl.orphan_events`,
  );
  return row!.id;
}

describe('orphan detection', () => {
  it('streams a team deleted with plain SQL to an SSE subscriber of orphanDetected', async () => {
    const [teamId] = await seedTeams(t.db.query, 'plain', 1);
    const [pollId] = await seedPolls(t.db.query, [teamId!]);
    // A legacy script: no foreign key holds it back, the delete commits.
    await t.db.query(`alter table polls drop constraint if exists polls_team_id_fkey`);
    const sub = await subscribe(await lastEventId());
    try {
      await t.db.query(`delete from teams where id = $1`, [teamId]);
      const event = await sub.next();
      expect(event).toMatchObject({
        table: 'polls',
        column: 'team_id',
        rowId: String(pollId),
        missingRef: String(teamId),
        reference: 'polls.team_id',
        cause: 'DELETE',
        context: {
          league: 'L_plain',
          club: 'Club plain',
          series: 'Series plain 1',
          teamName: 'Club plain - 1',
        },
      });
    } finally {
      await sub.close();
    }
  });

  it('records every row when 10,000 referenced teams are deleted in one statement', async () => {
    const teamIds = await seedTeams(t.db.query, 'bulk', 10_000);
    const pollIds = await seedPolls(t.db.query, teamIds);
    await t.db.query(`alter table polls drop constraint if exists polls_team_id_fkey`);
    const after = await lastEventId();
    const sub = await subscribe(after);
    try {
      await t.db.query(`delete from teams where id = any($1::int[])`, [teamIds]);
      const events = await sub.take(10_000);
      expect(events.map((e) => Number(e.rowId)).sort((a, b) => a - b)).toEqual(pollIds);
      expect(new Set(events.map((e) => e.missingRef))).toEqual(new Set(teamIds.map(String)));
      const ids = events.map((e) => Number(e.id));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const [{ n }] = await t.db.query<{ n: number }>(
        `select count(*)::int as n from bpetl.orphan_events where id > $1`,
        [after],
      );
      expect(n).toBe(10_000);
    } finally {
      await sub.close();
    }
  });

  it('still fires when a session switches foreign-key checks off (session_replication_role = replica)', async () => {
    const [teamId] = await seedTeams(t.db.query, 'replica', 1);
    const [lineup] = await t.db.query<{ id: number }>(
      `insert into saved_lineups (team_id, lineup_name) values ($1, 'Sunday') returning id`,
      [teamId],
    );
    const after = await lastEventId();
    // The foreign key is still there, but replica mode skips it: only an ALWAYS trigger sees this.
    await committed(t.db.pool, [
      [`set local session_replication_role = replica`],
      [`delete from teams where id = $1`, [teamId]],
    ]);
    const events = await t.graphql<{ orphans: Array<Record<string, unknown>> }>(
      `query ($after: ID) { orphans(after: $after) { table rowId missingRef cause } }`,
      { after },
    );
    expect(events.data?.orphans).toEqual([
      { table: 'saved_lineups', rowId: String(lineup!.id), missingRef: String(teamId), cause: 'DELETE' },
    ]);
  });

  it('catches references cleared by an ON DELETE SET NULL foreign key, with the team’s context', async () => {
    const [teamId] = await seedTeams(t.db.query, 'setnull', 1);
    await t.db.query(`alter table captain_messages drop constraint if exists captain_messages_team_id_fkey`);
    await t.db.query(
      `alter table captain_messages add constraint captain_messages_team_id_fkey
         foreign key (team_id) references teams (id) on delete set null`,
    );
    const [message] = await t.db.query<{ id: number }>(
      `insert into captain_messages (team_id, message) values ($1, 'Practice moved') returning id`,
      [teamId],
    );
    const after = await lastEventId();
    await t.db.query(`delete from teams where id = $1`, [teamId]);
    const [row] = await t.db.query(`select team_id from captain_messages where id = $1`, [message!.id]);
    expect(row).toEqual({ team_id: null });
    const events = await t.db.query(
      `select source_table, row_id::int, missing_ref, cause, context->>'teamName' as team
         from bpetl.orphan_events where id > $1`,
      [after],
    );
    expect(events).toEqual([
      {
        source_table: 'captain_messages',
        row_id: message!.id,
        missing_ref: String(teamId),
        cause: 'SET_NULL',
        team: 'Club setnull - 1',
      },
    ]);
  });

  it('detects inserts and updates of protected columns pointing nowhere, and an external player id', async () => {
    await t.db.query(`alter table user_contexts drop constraint if exists user_contexts_active_team_id_fkey`);
    const [user] = await t.db.query<{ id: number }>(
      `insert into users (email) values ('orphan-insert@example.test') returning id`,
    );
    const after = await lastEventId();
    await t.db.query(`insert into user_contexts (user_id, active_team_id) values ($1, 987654)`, [user!.id]);
    await t.db.query(
      `insert into user_player_associations (user_id, tenniscores_player_id) values ($1, 'ext-missing')`,
      [user!.id],
    );
    await t.db.query(`update user_contexts set active_team_id = 987655 where user_id = $1`, [user!.id]);
    const events = await t.db.query(
      `select reference, row_id::int, missing_ref, cause from bpetl.orphan_events where id > $1 order by id`,
      [after],
    );
    expect(events).toEqual([
      { reference: 'user_contexts.active_team_id', row_id: user!.id, missing_ref: '987654', cause: 'INSERT' },
      {
        reference: 'user_player_associations.tenniscores_player_id',
        row_id: expect.any(Number),
        missing_ref: 'ext-missing',
        cause: 'INSERT',
      },
      {
        reference: 'user_contexts.active_team_id',
        row_id: user!.id,
        missing_ref: '987655',
        cause: 'REPOINT',
      },
    ]);
  });

  it('records rows referencing a truncated table, but not rows a CASCADE truncated with it', async () => {
    await t.db.query(
      `alter table player_availability drop constraint if exists player_availability_series_id_fkey`,
    );
    const [series] = await t.db.query<{ id: number }>(
      `insert into series (name) values ('Truncated series') returning id`,
    );
    const [availability] = await t.db.query<{ id: number }>(
      `insert into player_availability (player_name, match_date, series_id) values ('A', '2025-01-01', $1) returning id`,
      [series!.id],
    );
    const after = await lastEventId();
    // Rolled back: truncating series cascades far; the events written inside must match the outcome.
    const client = await t.db.pool.connect();
    try {
      await client.query('begin');
      await client.query(`truncate series cascade`);
      const { rows } = await client.query(
        `select reference, row_id::int, cause, context->>'series' as series from bpetl.orphan_events where id > $1`,
        [after],
      );
      expect(rows).toEqual([]);
      await client.query('rollback');
      await client.query('begin');
      await client.query(`alter table teams drop constraint teams_series_id_fkey`);
      await client.query(`alter table players drop constraint players_series_id_fkey`);
      await client.query(`alter table series drop constraint if exists series_league_id_fkey`);
      await client.query(`alter table series_leagues drop constraint series_leagues_series_id_fkey`);
      await client.query(`alter table series_stats drop constraint series_stats_series_id_fkey`);
      await client.query(`truncate series`);
      const after2 = await client.query(
        `select reference, row_id::int, cause, context->>'series' as series from bpetl.orphan_events where id > $1`,
        [after],
      );
      expect(after2.rows).toEqual([
        {
          reference: 'player_availability.series_id',
          row_id: availability!.id,
          cause: 'TRUNCATE',
          series: 'Truncated series',
        },
      ]);
    } finally {
      await client.query('rollback').catch(() => undefined);
      client.release();
    }
  });

  it('records nothing while protection is disabled, and again once it is enabled', async () => {
    const [a, b] = await seedTeams(t.db.query, 'switch', 2);
    await seedPolls(t.db.query, [a!, b!]);
    const off = await t.graphql<{ disableProtection: { enabled: boolean } }>(
      `mutation { disableProtection { ... on ProtectionStatus { enabled } } }`,
    );
    expect(off.data?.disableProtection.enabled).toBe(false);
    const after = await lastEventId();
    await t.db.query(`delete from teams where id = $1`, [a]);
    expect(await lastEventId()).toBe(after);
    const on = await t.graphql<{
      enableProtection: { enabled: boolean; tables: Array<{ covered: boolean }> };
    }>(`mutation { enableProtection { ... on ProtectionStatus { enabled tables { covered } } } }`);
    expect(on.data?.enableProtection.enabled).toBe(true);
    expect(on.data?.enableProtection.tables.every((x) => x.covered)).toBe(true);
    await t.db.query(`delete from teams where id = $1`, [b]);
    const events = await t.db.query(`select missing_ref from bpetl.orphan_events where id > $1`, [after]);
    expect(events).toEqual([{ missing_ref: String(b) }]);
  });
});
