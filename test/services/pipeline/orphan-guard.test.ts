import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeLeagueFeed } from '../../../src/generator/index.ts';
import { startPipeline } from '../../../src/services/pipeline/run-pipeline.ts';
import { useTestApp } from '../../helpers/app.ts';

const t = useTestApp();
let feed: string;

beforeAll(async () => {
  feed = await mkdtemp(path.join(os.tmpdir(), 'bpetl-orphan-guard-'));
  await writeLeagueFeed(feed, { seed: 'orphan-guard', teams: 100 });
});
afterAll(async () => {
  await rm(feed, { recursive: true, force: true });
});

describe('verify', () => {
  it('rolls the whole run back with ORPHANS_WOULD_REMAIN when something in it orphans a user row', async () => {
    expect((await (await startPipeline(t.app, { path: feed })).finished).status).toBe('SUCCEEDED');
    // An account linked to a player by external id (no foreign key can guard that), and a rogue
    // trigger that deletes the player during the next refresh: the side effect verify exists to catch.
    await t.db.query(
      `insert into players (tenniscores_player_id, league_id, club_id, series_id, team_id, first_name)
       select 'doomed-1', league_id, club_id, series_id, id, 'Doomed' from teams order by id limit 1`,
    );
    const [{ id: userId }] = await t.db.query<{ id: number }>(
      `insert into users (email) values ('doomed@example.test') returning id`,
    );
    await t.db.query(
      `insert into user_player_associations (user_id, tenniscores_player_id) values ($1, 'doomed-1')`,
      [userId],
    );
    // Stats the refresh will put back, so it writes series_stats and the trigger below fires in it.
    await t.db.query(`update series_stats set points = points + 1`);
    await t.db.query(
      `create function rogue_delete() returns trigger language plpgsql as $$
       begin delete from players where tenniscores_player_id = 'doomed-1'; return null; end $$;
       create trigger rogue after insert or update on series_stats
         for each statement execute function rogue_delete();`,
    );
    const before = await t.db.query('select id, is_active from players order by id');

    const run = await (await startPipeline(t.app, { path: feed })).finished;
    expect(run.status, JSON.stringify(run.error)).toBe('ROLLED_BACK');
    expect(run.error?.code).toBe('ORPHANS_WOULD_REMAIN');
    expect(await t.db.query('select id, is_active from players order by id')).toEqual(before);
    expect(await t.db.query(`select 1 from players where tenniscores_player_id = 'doomed-1'`)).toHaveLength(
      1,
    );
  });
});
