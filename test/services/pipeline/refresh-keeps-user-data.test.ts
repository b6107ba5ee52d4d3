import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type LeagueFeedOptions, seedUserData, writeLeagueFeed } from '../../../src/generator/index.ts';
import { validateConstraints } from '../../../src/services/constraints/validate.ts';
import type { ImportStats } from '../../../src/services/import/import-teams.ts';
import { scanOrphans } from '../../../src/services/orphans/scan.ts';
import { startPipeline } from '../../../src/services/pipeline/run-pipeline.ts';
import type { PipelineRun } from '../../../src/services/pipeline/runs.ts';
import { loadProtectionSpec } from '../../../src/services/protection/spec.ts';
import { useTestApp } from '../../helpers/app.ts';
import { fixtureFeed } from '../../helpers/fixtures.ts';
import { userReferences } from '../../helpers/references.ts';

const t = useTestApp();
let workDir: string;
/** Of the last refresh: how many references moved, by the table they point into. */
let movedByTable = new Map<string, number>();

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-refresh-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

const USER_TABLES = [
  'users',
  'polls',
  'poll_choices',
  'poll_responses',
  'captain_messages',
  'user_player_associations',
  'player_availability',
  'user_contexts',
  'saved_lineups',
];
const REFERENCE_TABLES = ['leagues', 'clubs', 'series', 'teams', 'players', 'series_stats'];

const references = () => userReferences(t);

async function counts(tables: string[]): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of tables) {
    const [{ n }] = await t.db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    result[table] = n;
  }
  return result;
}

async function run(source: string, options: { allowShrink?: boolean } = {}): Promise<PipelineRun> {
  const started = await startPipeline(t.app, { path: source, ...options });
  const finished = await started.finished;
  expect(finished.status, JSON.stringify(finished.error)).toBe('SUCCEEDED');
  return finished;
}

async function feed(name: string, options: Omit<LeagueFeedOptions, 'seed' | 'teams'>): Promise<string> {
  const dir = path.join(workDir, name);
  await writeLeagueFeed(dir, { seed: 'refresh', teams: 400, ...options });
  return dir;
}

/**
 * Imports `source` and checks the guarantees: no orphan, no user or reference row deleted, and
 * every user reference either unchanged or moved off a retired team to an active team of the
 * same club and league (its unique successor).
 */
async function refreshKeepsUserData(source: string): Promise<PipelineRun> {
  const before = await references();
  const userRows = await counts(USER_TABLES);
  const referenceRows = await counts(REFERENCE_TABLES);
  const finished = await run(source);

  expect((await scanOrphans(t.app.db.manager)).total).toBe(0);
  expect((await validateConstraints(t.app.db.manager)).filter((i) => i.severity === 'CRITICAL')).toEqual([]);
  expect(await counts(USER_TABLES)).toEqual(userRows);
  const afterReference = await counts(REFERENCE_TABLES);
  for (const table of REFERENCE_TABLES) {
    expect(afterReference[table]).toBeGreaterThanOrEqual(referenceRows[table]!);
  }

  const after = await references();
  expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
  const moved = [...before].filter(([key, value]) => after.get(key) !== value);
  const spec = new Map((await loadProtectionSpec(t.app.db.manager)).map((r) => [r.name, r]));
  movedByTable = new Map<string, number>();
  for (const [key, value] of moved) {
    const ref = spec.get(key.slice(0, key.lastIndexOf('/')))!;
    expect(ref, key).toBeDefined();
    movedByTable.set(ref.targetTable, (movedByTable.get(ref.targetTable) ?? 0) + 1);
    // Whatever it points at: moved off a row that is gone or retired, onto one that exists and is active.
    const hasActive =
      (
        await t.db.query(
          `select 1 from information_schema.columns where table_name = $1 and column_name = 'is_active'`,
          [ref.targetTable],
        )
      ).length > 0;
    const state = async (v: string | null | undefined) =>
      v == null
        ? undefined
        : (
            await t.db.query<{ active: boolean }>(
              `select ${hasActive ? 'is_active' : 'true'} as active from "${ref.targetTable}"
                where "${ref.targetColumn}"::text = $1`,
              [v],
            )
          )[0];
    const oldTarget = await state(value);
    const newTarget = await state(after.get(key));
    expect({ key, oldActive: oldTarget?.active ?? false, newActive: newTarget?.active }).toEqual({
      key,
      oldActive: false,
      newActive: true,
    });
    if (ref.targetTable !== 'teams') continue;
    const [change] = await t.db.query<{ same_club: boolean }>(
      `select (o.club_id = n.club_id and o.league_id = n.league_id) as same_club
         from teams o, teams n where o.id = $1 and n.id = $2`,
      [value, after.get(key)],
    );
    expect({ key, ...change }).toEqual({ key, same_club: true });
  }
  return finished;
}

const importStats = (r: PipelineRun) => r.stats!.import as ImportStats;

describe('a refresh never orphans or loses user data', () => {
  it('real feeds: 2025-06-21, user data on every league, then 2025-06-30', async () => {
    await run(fixtureFeed('2025-06-21'));
    const seeded = await seedUserData(t.db.pool, { seed: 'fixtures' });
    expect(seeded.total).toBeGreaterThan(0);
    const leaguesWithData = await t.db.query<{ league_id: string }>(
      `select distinct l.league_id from polls p join teams te on te.id = p.team_id join leagues l on l.id = te.league_id
        order by 1`,
    );
    expect(leaguesWithData.map((l) => l.league_id)).toEqual(['APTA_CHICAGO', 'CITA', 'CNSWPL', 'NSTF']);
    const refreshed = await refreshKeepsUserData(fixtureFeed('2025-06-30'));
    expect(importStats(refreshed).rejected).toBe(0);
  });

  it('generated feeds: a base feed (allowed to replace the real leagues), then user data on it', async () => {
    await run(await feed('base', {}), { allowShrink: true });
    await seedUserData(t.db.pool, { seed: 'generated' });
    expect((await scanOrphans(t.app.db.manager)).total).toBe(0);
  });

  it('(a) a feed that lacks a whole league leaves that league untouched', async () => {
    const [{ active }] = await t.db.query<{ active: number }>(
      `select count(*)::int as active from teams t join leagues l on l.id = t.league_id
        where l.league_id = 'CNSWPL' and t.is_active`,
    );
    const finished = await refreshKeepsUserData(await feed('no-cnswpl', { omitLeagues: ['CNSWPL'] }));
    expect(importStats(finished).scope).not.toContain('CNSWPL');
    expect(importStats(finished).tables.teams.retired).toBe(0);
    expect(
      await t.db.query(
        `select count(*)::int as active from teams t join leagues l on l.id = t.league_id
          where l.league_id = 'CNSWPL' and t.is_active`,
      ),
    ).toEqual([{ active }]);
  });

  it('(b) every APTA team spelled the other way resolves to the same teams', async () => {
    const ids = await t.db.query('select id from teams where is_active order by id');
    const finished = await refreshKeepsUserData(
      await feed('alternate', { variant: 'alternate-apta-spelling' }),
    );
    expect(importStats(finished).tables.teams).toMatchObject({ inserted: 0, retired: 0 });
    expect(await t.db.query('select id from teams where is_active order by id')).toEqual(ids);
  });

  it('(c) a renamed series retires its teams and adds their successors', async () => {
    const finished = await refreshKeepsUserData(
      await feed('renamed', { renameSeries: { from: 'Chicago 2', to: 'Chicago 102' } }),
    );
    const teams = importStats(finished).tables.teams;
    expect(teams.inserted).toBeGreaterThan(0);
    // The retired teams carried user data: it moved, and every move was checked above.
    expect(Object.fromEntries(movedByTable)).toEqual({});
    expect(teams.retired).toBe(teams.inserted);
  });

  it('re-importing the same feed changes nothing', async () => {
    const finished = await run(path.join(workDir, 'renamed'));
    for (const counts of Object.values(importStats(finished).tables)) {
      expect(counts).toMatchObject({ inserted: 0, updated: 0, retired: 0 });
    }
  });
});
