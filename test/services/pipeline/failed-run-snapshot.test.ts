import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeLeagueFeed } from '../../../src/generator/index.ts';
import { seedUserData } from '../../../src/generator/user-data.ts';
import { scanOrphans } from '../../../src/services/orphans/scan.ts';
import { startPipeline } from '../../../src/services/pipeline/run-pipeline.ts';
import { restoreUserData } from '../../../src/services/snapshots/restore.ts';
import { createSnapshot, getSnapshot, listSnapshots } from '../../../src/services/snapshots/snapshots.ts';
import { useTestApp } from '../../helpers/app.ts';

const t = useTestApp();
let dir: string;
let feed: string;
let broken: string;

/** Every poll with the natural key of its team: what must survive whatever happens to team ids. */
const pollTeams = () =>
  t.db.query(
    `select p.id, c.name as club, s.name as series, l.league_id as league, tm.team_name
       from polls p join teams tm on tm.id = p.team_id join clubs c on c.id = tm.club_id
       join series s on s.id = tm.series_id join leagues l on l.id = tm.league_id
      order by p.id`,
  );

const snapshotOf = (run: { stats: Record<string, unknown> | null }) =>
  (run.stats as { snapshot: { id: number } }).snapshot.id;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-failed-run-'));
  feed = path.join(dir, 'feed');
  await writeLeagueFeed(feed, { seed: 'failed-run', teams: 100 });
  // The same feed, its players file cut in half: the run fails in its import step, after the snapshot.
  broken = path.join(dir, 'broken');
  await cp(feed, broken, { recursive: true });
  const players = await readFile(path.join(feed, 'players.json'), 'utf8');
  await writeFile(path.join(broken, 'players.json'), players.slice(0, Math.floor(players.length / 2)));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the snapshot of a failed run', () => {
  it('is kept, marked with the run and its status, and restores user data after a legacy wreck', async () => {
    expect((await (await startPipeline(t.app, { path: feed })).finished).status).toBe('SUCCEEDED');
    await seedUserData(t.db.pool, { seed: 'failed-run' });
    const polls = await pollTeams();
    expect(polls.length).toBeGreaterThan(0);

    const run = await (await startPipeline(t.app, { path: broken })).finished;
    expect(run.status).toBe('FAILED');
    expect(run.error?.code).toBe('INVALID_INPUT');
    const snapshot = await getSnapshot(t.app.db, snapshotOf(run));
    expect(snapshot).toMatchObject({ runId: run.id, runStatus: 'FAILED' });
    expect(snapshot.byType.find((b) => b.dataType === 'polls')?.rows).toBe(polls.length);

    // After the failure, the legacy ETL re-creates every team under new ids (no foreign key fires
    // under replica): every reference to a team dangles.
    const client = await t.db.pool.connect();
    try {
      await client.query(`set session_replication_role = replica`);
      await client.query(`update teams set id = id + 1000000`);
    } finally {
      await client.query(`reset session_replication_role`);
      client.release();
    }
    expect((await scanOrphans(t.app.db.manager)).total).toBeGreaterThan(0);

    const restored = await restoreUserData(t.app.db, { snapshotId: snapshot.id });
    expect(restored.remapped).toBeGreaterThanOrEqual(polls.length);
    expect(restored.unmatched).toBe(0);
    expect(await pollTeams()).toEqual(polls);
    expect((await scanOrphans(t.app.db.manager)).total).toBe(0);
  });

  it('outlives retention until a later run succeeds, then ages out like any other', async () => {
    await t.db.query(`update bpetl.settings set value = '1'::jsonb where key = 'snapshot_retention'`);
    const failed = await (await startPipeline(t.app, { path: broken })).finished;
    expect(failed.status).toBe('FAILED');
    const kept = snapshotOf(failed);
    // A dry run and snapshots taken on their own do not release it, however many.
    expect((await (await startPipeline(t.app, { path: feed, dryRun: true })).finished).status).toBe(
      'SUCCEEDED',
    );
    for (let i = 0; i < 3; i++) await createSnapshot(t.app.db, { note: `manual ${i}` });
    let ids = (await listSnapshots(t.app.db.manager)).map((s) => s.id);
    expect(ids).toContain(kept);
    expect(ids).toHaveLength(2); // the newest, and the failed run's

    const succeeded = await (await startPipeline(t.app, { path: feed })).finished;
    expect(succeeded.status, JSON.stringify(succeeded.error)).toBe('SUCCEEDED');
    expect(await getSnapshot(t.app.db, snapshotOf(succeeded))).toMatchObject({ runStatus: 'SUCCEEDED' });
    // Pruned by the next snapshot taken: the run that succeeded after it released it.
    await createSnapshot(t.app.db, { note: 'after the success' });
    ids = (await listSnapshots(t.app.db.manager)).map((s) => s.id);
    expect(ids).not.toContain(kept);
    expect(ids).toHaveLength(1);
    const [{ n }] = await t.db.query<{ n: number }>(
      `select count(*)::int as n from bpetl.snapshot_rows where snapshot_id = $1`,
      [kept],
    );
    expect(n).toBe(0);
  });
});
