import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  generateLeagueFeed,
  type LeagueFeedOptions,
  seedUserData,
  writeLeagueFeed,
} from '../../../src/generator/index.ts';
import { checkHealth } from '../../../src/services/health/report.ts';
import type { ImportStats } from '../../../src/services/import/import-teams.ts';
import { scanOrphans } from '../../../src/services/orphans/scan.ts';
import { startPipeline } from '../../../src/services/pipeline/run-pipeline.ts';
import type { PipelineRun } from '../../../src/services/pipeline/runs.ts';
import { openSource } from '../../../src/sources/open-source.ts';
import { useTestApp } from '../../helpers/app.ts';
import { userReferences } from '../../helpers/references.ts';

const t = useTestApp();
let workDir: string;
const FEED = { seed: 'contradict', teams: 400 } as const;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-contradict-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function feed(name: string, options: Partial<LeagueFeedOptions> = {}): Promise<string> {
  const dir = path.join(workDir, name);
  await writeLeagueFeed(dir, { ...FEED, ...options });
  return dir;
}

async function run(source: string, options: { allowShrink?: boolean } = {}): Promise<PipelineRun> {
  const started = await startPipeline(t.app, { path: source, ...options });
  return started.finished;
}

async function succeeded(source: string, options: { allowShrink?: boolean } = {}): Promise<ImportStats> {
  const finished = await run(source, options);
  expect(finished.status, JSON.stringify(finished.error)).toBe('SUCCEEDED');
  return finished.stats!.import as ImportStats;
}

/** The canonical team count per league of the team lists (series_stats and schedules): no more, no less. */
async function canonicalTeams(dir: string): Promise<Record<string, number>> {
  const keys = new Map<string, string>();
  for await (const item of (await openSource(dir)).items()) {
    if (item.kind === 'team' && item.record.listed) keys.set(item.record.canonicalKey, item.record.league);
  }
  const counts: Record<string, number> = {};
  for (const league of keys.values()) counts[league] = (counts[league] ?? 0) + 1;
  return counts;
}

async function activeTeams(): Promise<Record<string, number>> {
  const rows = await t.db.query<{ league_id: string; n: number }>(
    `select l.league_id, count(*)::int as n from teams t join leagues l on l.id = t.league_id
      where t.is_active group by 1 order by 1`,
  );
  return Object.fromEntries(rows.map((r) => [r.league_id, r.n]));
}

async function rowCounts(): Promise<Record<string, number>> {
  const [row] = await t.db.query<Record<string, number>>(
    `select (select count(*) from teams)::int as teams, (select count(*) from clubs)::int as clubs,
            (select count(*) from series)::int as series`,
  );
  return row!;
}

const references = () => userReferences(t);

/** A checksum of every reference and user table, to prove a refused run wrote nothing. */
async function checksum(): Promise<string> {
  const tables = ['leagues', 'clubs', 'series', 'teams', 'players', 'schedule', 'series_stats'];
  const hash = createHash('sha256');
  for (const table of [...tables, 'user_player_associations', 'polls', 'captain_messages']) {
    const rows = await t.db.query(
      `select md5(string_agg(x::text, '|' order by x::text)) as h from ${table} x`,
    );
    hash.update(`${table}:${JSON.stringify(rows)}`);
  }
  return hash.digest('hex');
}

/** Every association names a player id some active player carries. */
async function danglingAssociations(): Promise<number> {
  const [{ n }] = await t.db.query<{ n: number }>(
    `select count(*)::int as n from user_player_associations a
      where not exists (select 1 from players p where p.tenniscores_player_id = a.tenniscores_player_id and p.is_active)`,
  );
  return n;
}

let expectedTeams: Record<string, number>;
let teamRefs: Map<string, string | null>;
let counts: Record<string, number>;

/** The guarantees after every import of the sequence. */
async function expectIntact(stats: ImportStats): Promise<void> {
  expect(await activeTeams()).toEqual(expectedTeams);
  expect(await rowCounts()).toEqual(counts);
  expect((await scanOrphans(t.app.db.manager)).total).toBe(0);
  const after = await references();
  for (const [key, value] of teamRefs) expect([key, after.get(key)]).toEqual([key, value]);
  expect(await danglingAssociations()).toBe(0);
  expect((await checkHealth(t.app.db.manager)).score).toBe(100);
  expect(stats.tables.teams).toMatchObject({ inserted: 0, retired: 0 });
}

const warning = (stats: ImportStats, code: string) => stats.warnings.filter((w) => w.code === code);

describe('feeds that contradict themselves never create or lose reference data', () => {
  let full: string;

  it('a full feed, then user data of every protected type', async () => {
    full = await feed('full');
    expectedTeams = await canonicalTeams(full);
    // The generator's own count: its teams, plus the BYE rows series_stats lists as teams.
    expect(Object.values(expectedTeams).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(
      [...generateLeagueFeed(FEED).teams()].length,
    );
    const stats = await succeeded(full);
    expect(stats.rejected).toBe(0);
    expect(stats.warnings).toEqual([]);
    await seedUserData(t.db.pool, { seed: 'contradict' });
    const refs = await references();
    teamRefs = new Map([...refs].filter(([key]) => !key.startsWith('user_player_associations')));
    counts = await rowCounts();
    expect(await activeTeams()).toEqual(expectedTeams);
    const [{ n }] = await t.db.query<{ n: number }>(
      'select count(*)::int as n from user_player_associations',
    );
    expect(n).toBeGreaterThan(0);
  });

  it('a league whose players all name one wrong series with shortened clubs: matched by team name', async () => {
    const stats = await succeeded(await feed('one-series', { playerVariants: ['one-series'] }));
    await expectIntact(stats);
    const [matched] = warning(stats, 'PLAYERS_MATCHED_BY_NAME');
    expect(matched).toMatchObject({ league: 'CNSWPL', file: 'players.json' });
    expect(matched!.message).toMatch(
      /^[\d,]+ CNSWPL player records name series Series 1, but their teams are in \d+ series of the team lists: matched by team name$/,
    );
    expect(stats.rejected).toBe(0);
    // The players stay on their teams: nothing to insert or retire.
    expect(stats.tables.players).toMatchObject({ inserted: 0, retired: 0 });
    await expectIntact(await succeeded(full));
  });

  it('the newer players format with "Yes" captains and extra keys', async () => {
    const stats = await succeeded(await feed('new-format', { playerVariants: ['new-format'] }));
    await expectIntact(stats);
    expect(stats.rejected).toBe(0);
    expect(stats.warnings).toEqual([]);
    const [{ captains }] = await t.db.query<{ captains: number }>(
      `select count(*)::int as captains from players p join leagues l on l.id = p.league_id
        where l.league_id = 'CNSWPL' and p.is_active and p.captain = 'C'`,
    );
    expect(captains).toBeGreaterThan(0);
    await expectIntact(await succeeded(full));
  });

  it('APTA team names without the SW marker attach to the SW teams', async () => {
    const stats = await succeeded(await feed('no-marker', { playerVariants: ['no-division-marker'] }));
    await expectIntact(stats);
    const [matched] = warning(stats, 'PLAYERS_MATCHED_WITHOUT_MARKER');
    expect(matched).toMatchObject({ league: 'APTA_CHICAGO' });
    expect(matched!.sample).toMatch(/ SW\)$/);
    await expectIntact(await succeeded(full));
  });

  it('players under a new id scheme keep their rows, and their associations follow them', async () => {
    const ids = await t.db.query('select id from players where is_active order by id');
    const finished = await run(await feed('new-ids', { playerVariants: ['new-ids'] }));
    expect(finished.status).toBe('SUCCEEDED');
    const stats = finished.stats!.import as ImportStats;
    expect((finished.stats!.restore as { followedPlayerIds: number }).followedPlayerIds).toBeGreaterThan(0);
    await expectIntact(stats);
    expect(stats.playerIds.changed).toBeGreaterThan(0);
    expect(warning(stats, 'PLAYER_IDS_CHANGED')).toHaveLength(1);
    expect(await t.db.query('select id from players where is_active order by id')).toEqual(ids);
    const [{ followed }] = await t.db.query<{ followed: number }>(
      `select count(*)::int as followed from bpetl.restore_actions where strategy = 'player_id_changed'`,
    );
    expect(followed).toBeGreaterThan(0);
    expect(followed).toBe(Object.values(stats.playerIds.moved).reduce((a, b) => a + b, 0));
    // And back to the old scheme: the same rows again.
    const back = await succeeded(full);
    await expectIntact(back);
    expect(back.playerIds.changed).toBe(stats.playerIds.changed);
    expect(await t.db.query('select id from players where is_active order by id')).toEqual(ids);
  });

  it('a players file cut to 6 % of a league is refused by the shrink guard, then accepted with allowShrink', async () => {
    const cut = await feed('cut', { playerVariants: ['cut'] });
    const before = await checksum();
    const refused = await run(cut);
    expect(refused.status).toBe('ROLLED_BACK');
    expect(refused.error).toMatchObject({ code: 'SHRINK_GUARD' });
    expect(refused.error!.message).toMatch(/active players of CNSWPL/);
    expect(await checksum()).toBe(before);

    const stats = await succeeded(cut, { allowShrink: true });
    expect(stats.playerShrink.find((s) => s.league === 'CNSWPL')!.fraction).toBeGreaterThan(0.9);
    expect(await activeTeams()).toEqual(expectedTeams);
    expect((await scanOrphans(t.app.db.manager)).total).toBe(0);
  });
});
