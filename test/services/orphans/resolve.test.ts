import { describe, expect, it } from 'vitest';

import { resolveStaleEvents } from '../../../src/services/orphans/events.ts';
import { startOrphanMonitoring } from '../../../src/services/orphans/monitor.ts';
import { useTestApp } from '../../helpers/app.ts';
import { seedPolls, seedTeams } from './helpers.ts';

const t = useTestApp();

async function openEventFor(pollId: number) {
  const [row] = await t.db.query(
    `select resolved_at, resolution from bpetl.orphan_events where reference = 'polls.team_id' and row_id = $1
      order by id desc limit 1`,
    [pollId],
  );
  return row;
}

describe('resolving orphan events', () => {
  it('resolves events whose row was deleted, re-pointed or whose target came back; keeps the rest open', async () => {
    await t.db.query(`alter table polls drop constraint polls_team_id_fkey`);
    const teams = await seedTeams(t.db.query, 'resolve', 5);
    const [deleted, repointed, restored, kept] = await seedPolls(t.db.query, teams.slice(0, 4));
    const restoredTeam = await t.db.query(`select * from teams where id = $1`, [teams[2]]);
    await t.db.query(`delete from teams where id = any($1::int[])`, [teams.slice(0, 4)]);

    await t.db.query(`delete from polls where id = $1`, [deleted]);
    await t.db.query(`update polls set team_id = $1 where id = $2`, [teams[4], repointed]);
    const r = restoredTeam[0] as Record<string, unknown>;
    await t.db.query(
      `insert into teams (id, club_id, series_id, league_id, team_name) values ($1, $2, $3, $4, $5)`,
      [r.id, r.club_id, r.series_id, r.league_id, r.team_name],
    );
    expect(await resolveStaleEvents(t.app.db.manager)).toBe(3);
    expect(await openEventFor(deleted!)).toMatchObject({ resolution: 'ROW_DELETED' });
    expect(await openEventFor(repointed!)).toMatchObject({ resolution: 'REPOINTED' });
    expect(await openEventFor(restored!)).toMatchObject({ resolution: 'TARGET_RESTORED' });
    expect(await openEventFor(kept!)).toEqual({ resolved_at: null, resolution: null });
    expect(await resolveStaleEvents(t.app.db.manager)).toBe(0);

    const open = await t.graphql<{ orphans: Array<{ rowId: string }> }>(
      `{ orphans(resolved: false) { rowId } }`,
    );
    expect(open.data?.orphans).toEqual([{ rowId: String(kept) }]);
    const resolved = await t.graphql<{ orphans: Array<{ resolution: string }> }>(
      `{ orphans(resolved: true) { resolution } }`,
    );
    expect(resolved.data?.orphans.map((o) => o.resolution).sort()).toEqual([
      'REPOINTED',
      'ROW_DELETED',
      'TARGET_RESTORED',
    ]);
  });

  it('refuses a bad page size or cursor with INVALID_INPUT', async () => {
    const big = await t.graphql(`{ orphans(first: 1001) { id } }`);
    expect(big.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_INPUT' } });
    const bad = await t.graphql(`{ orphans(after: "abc") { id } }`);
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'INVALID_INPUT' } });
    const response = await t.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'subscription { orphanDetected(after: "-1") { id } }' }),
    });
    expect(await response.text()).toMatch(/INVALID_INPUT/);
  });

  it('repairs new orphans as they arrive when auto-repair is on', async () => {
    await startOrphanMonitoring(t.app, { autoRepair: true, pollIntervalMs: 100 });
    const [old] = await seedTeams(t.db.query, 'auto', 1);
    const [pollId] = await seedPolls(t.db.query, [old!]);
    const [team] = await t.db.query<Record<string, unknown>>(`select * from teams where id = $1`, [old]);
    // Delete and re-insert under a new id, in one transaction, as a classic ETL does.
    const client = await t.db.pool.connect();
    let fresh: number;
    try {
      await client.query('begin');
      await client.query(`delete from teams where id = $1`, [old]);
      const { rows } = await client.query<{ id: number }>(
        `insert into teams (club_id, series_id, league_id, team_name) values ($1, $2, $3, $4) returning id`,
        [team!.club_id, team!.series_id, team!.league_id, team!.team_name],
      );
      fresh = rows[0]!.id;
      await client.query('commit');
    } finally {
      client.release();
    }
    let current: number | null = old!;
    for (let i = 0; i < 200 && current !== fresh; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const [row] = await t.db.query<{ team_id: number }>(`select team_id from polls where id = $1`, [
        pollId,
      ]);
      current = row!.team_id;
    }
    expect(current).toBe(fresh);
    const [repair] = await t.db.query(
      `select old_value, new_value, strategy from bpetl.repairs where reference = 'polls.team_id' and row_id = $1`,
      [pollId],
    );
    expect(repair).toEqual({ old_value: String(old), new_value: String(fresh), strategy: 'natural_key' });
  });
});
