import { beforeAll, describe, expect, it } from 'vitest';

import {
  createSnapshot,
  getSnapshot,
  listSnapshots,
  markSnapshotRun,
  pruneSnapshots,
  releaseSnapshot,
} from '../../../src/services/snapshots/snapshots.ts';
import { useDataSource } from '../../helpers/data-source.ts';
import { useTestDatabase } from '../../helpers/database.ts';
import { seedSafetyData } from '../../helpers/seed-safety.ts';

const db = useTestDatabase();
const ds = useDataSource(db);

beforeAll(async () => {
  await seedSafetyData(db.pool, { clubs: 3, series: 2, perTeam: 2 });
});

describe('createSnapshot', () => {
  it('copies every protected reference of every user row, with the natural key of its target', async () => {
    const summary = await createSnapshot(ds.current, { note: 'before import' });
    expect(summary.note).toBe('before import');
    // 2 leagues × 3 clubs × 2 series = 12 teams, 2 user rows of each type per team.
    const byType = Object.fromEntries(summary.byType.map((t) => [t.dataType, t.rows]));
    expect(byType).toEqual({
      availability: 24,
      captain_messages: 24,
      player_associations: 24,
      poll_responses: 24,
      polls: 24,
      practice_times: 24,
      saved_lineups: 24,
      user_contexts: 24,
    });
    expect(summary.rows).toBe(24 * 8);
    const [{ n }] = await db.query<{ n: number }>(
      `select count(*)::int as n from bpetl.snapshot_rows where snapshot_id = $1`,
      [summary.id],
    );
    // Availability holds two references (player and series).
    expect(n).toBe(24 * 9);

    const [poll] = await db.query(
      `select sr.* from bpetl.snapshot_rows sr join polls p on p.id = sr.row_id
         join teams t on t.id = p.team_id join clubs c on c.id = t.club_id
        where sr.snapshot_id = $1 and sr.reference = 'polls.team_id' and c.name = 'Club 2' limit 1`,
      [summary.id],
    );
    expect(poll).toMatchObject({ club: 'Club 2', club_key: 'club 2' });
    expect(poll!.league).toMatch(/^(ALPHA|BETA)$/);
    expect(poll!.series).toMatch(/^Series [12]$/);
    expect(poll!.team_name).toMatch(/^Club 2 - [12]$/);

    const [practice] = await db.query(
      `select * from bpetl.snapshot_rows where snapshot_id = $1 and reference = 'schedule.home_team_id' limit 1`,
      [summary.id],
    );
    expect(practice!.practice_name).toBe(`${practice!.club} Practice - ${practice!.series}`);

    const [player] = await db.query(
      `select sr.*, p.tenniscores_player_id as ext from bpetl.snapshot_rows sr join players p on p.id = sr.value::int
        where sr.snapshot_id = $1 and sr.reference = 'poll_responses.player_id' limit 1`,
      [summary.id],
    );
    expect(player!.external_id).toBe(player!.ext);
    expect(player!.first_name).toBe('First1');

    const [context] = await db.query(
      `select * from bpetl.snapshot_rows where snapshot_id = $1 and reference = 'user_contexts.active_team_id' limit 1`,
      [summary.id],
    );
    // user_contexts has no id column: its row key is its primary key, user_id.
    const [uc] = await db.query(`select * from user_contexts where user_id = $1`, [context!.row_id]);
    expect(String(uc!.active_team_id)).toBe(context!.value);
  });

  it('keeps rows that already dangle, with an empty context, and rows without a reference', async () => {
    await db.query(`insert into polls (team_id, question) values (null, 'no team')`);
    const summary = await createSnapshot(ds.current, {});
    const rows = await db.query(
      `select * from bpetl.snapshot_rows where snapshot_id = $1 and reference = 'polls.team_id' and value is null`,
      [summary.id],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.league).toBeNull();
    await db.query(`delete from polls where question = 'no team'`);
  });

  it('lists newest first and shows one; an unknown id is NOT_FOUND', async () => {
    const list = await listSnapshots(ds.current.manager);
    expect(list.length).toBeGreaterThanOrEqual(2);
    expect(list[0]!.id).toBeGreaterThan(list[1]!.id);
    const one = await getSnapshot(ds.current.manager, list[0]!.id);
    expect(one).toEqual(list[0]);
    await expect(getSnapshot(ds.current.manager, 999999)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('joins the caller transaction: rolled back with it', async () => {
    const before = (await listSnapshots(ds.current.manager)).length;
    await expect(
      ds.current.transaction(async (manager) => {
        await createSnapshot(ds.current, { manager, note: 'doomed' });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await listSnapshots(ds.current.manager)).toHaveLength(before);
  });
});

describe('retention', () => {
  it('keeps the newest 10 and never drops one a run still holds', async () => {
    await db.query(`delete from bpetl.snapshots`);
    const held = await createSnapshot(ds.current, { runId: 'run-failed' });
    const released = await createSnapshot(ds.current, { runId: 'run-ok' });
    await releaseSnapshot(ds.current.manager, released.id);
    const plain = await createSnapshot(ds.current, { note: 'old' });
    for (let i = 0; i < 10; i++) await createSnapshot(ds.current, { note: `n${i}` });
    const ids = (await listSnapshots(ds.current.manager)).map((s) => s.id);
    expect(ids).toHaveLength(11);
    expect(ids).toContain(held.id);
    expect(ids).not.toContain(released.id);
    expect(ids).not.toContain(plain.id);
    const [{ n }] = await db.query<{ n: number }>(
      `select count(*)::int as n from bpetl.snapshot_rows where snapshot_id = any($1::bigint[])`,
      [[released.id, plain.id]],
    );
    expect(n).toBe(0);
  });

  it('keeps a snapshot another table still references by foreign key', async () => {
    const pinned = await createSnapshot(ds.current, { note: 'pinned' });
    await db.query(`create table snapshot_pins (snapshot_id bigint references bpetl.snapshots (id))`);
    try {
      await db.query(`insert into snapshot_pins values ($1)`, [pinned.id]);
      const deleted = await ds.current.transaction((manager) => pruneSnapshots(manager, 1));
      expect(deleted).not.toContain(pinned.id);
      expect(deleted.length).toBeGreaterThan(0);
      const ids = (await listSnapshots(ds.current.manager)).map((s) => s.id);
      expect(ids).toContain(pinned.id);
      const [{ n }] = await db.query<{ n: number }>(
        `select count(*)::int as n from bpetl.snapshot_rows where snapshot_id = $1`,
        [pinned.id],
      );
      expect(n).toBe(pinned.rows + 24);
    } finally {
      await db.query(`drop table snapshot_pins`);
    }
  });

  it('reads the retention from bpetl.settings and rejects a non-positive one', async () => {
    await db.query(`update bpetl.settings set value = '3'::jsonb where key = 'snapshot_retention'`);
    for (const note of ['a', 'b', 'c', 'd']) await createSnapshot(ds.current, { note });
    const list = await listSnapshots(ds.current.manager);
    // The newest 3, plus the one its run (never ended) still holds.
    expect(list.map((x) => x.note ?? x.runId)).toEqual(['d', 'c', 'b', 'run-failed']);
    await expect(pruneSnapshots(ds.current.manager, 0)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await db.query(`update bpetl.settings set value = '10'::jsonb where key = 'snapshot_retention'`);
  });

  it('keeps the newest snapshot of a failed run until a later run succeeds', async () => {
    await db.query(`delete from bpetl.snapshots`);
    const run = async (runId: string, status: string) => {
      const s = await createSnapshot(ds.current, { runId });
      await markSnapshotRun(ds.current.manager, s.id, status);
      return s.id;
    };
    const prune = () => ds.current.transaction((manager) => pruneSnapshots(manager, 1));
    const ids = async () => (await listSnapshots(ds.current.manager)).map((s) => s.id).sort((a, b) => a - b);
    const ok0 = await run('r0', 'SUCCEEDED');
    const failed1 = await run('r1', 'FAILED');
    const failed2 = await run('r2', 'ROLLED_BACK');
    const manual = await createSnapshot(ds.current, { note: 'manual' });
    await prune();
    // The newest, and the newest failed run's; an earlier success does not release it.
    expect(await ids()).toEqual([failed2, manual.id]);
    expect(ok0).toBeLessThan(failed1);

    // A run in progress after it neither releases it nor is pruned.
    const running = (await createSnapshot(ds.current, { runId: 'r3' })).id;
    await createSnapshot(ds.current, { note: 'manual 2' });
    const manual2 = (await listSnapshots(ds.current.manager))[0]!.id;
    await prune();
    expect(await ids()).toEqual([failed2, running, manual2]);

    // That run is cancelled: now it is the newest failed run's snapshot, and the older one ages out.
    await markSnapshotRun(ds.current.manager, running, 'CANCELLED');
    await prune();
    expect(await ids()).toEqual([running, manual2]);

    // A later run succeeds: the failed run's snapshot is released to the count like any other.
    const ok4 = await run('r4', 'SUCCEEDED');
    expect(await ids()).toEqual([running, manual2, ok4]);
    await prune();
    expect(await ids()).toEqual([ok4]);
  });
});
