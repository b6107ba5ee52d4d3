import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { cliMessage } from '../../../src/cli/commands/import.ts';
import { demoRowCounts, removeDemoRows } from '../../../src/services/demo/rows.ts';
import { scanOrphans } from '../../../src/services/orphans/scan.ts';
import { DEMO_SETTING, loadDemo, loadDemoIfEmpty } from '../../../src/services/pipeline/demo.ts';
import { startPipeline } from '../../../src/services/pipeline/run-pipeline.ts';
import { useTestApp } from '../../helpers/app.ts';

const t = useTestApp();
let dir: string;

/** A feed shaped like a real league's: one league, its own (invented) clubs, nothing of the demo's. */
async function realFeed(): Promise<string> {
  const feed = path.join(dir, 'league-feed');
  await mkdir(feed, { recursive: true });
  const stats = ['Birchmere - 22', 'Oak Hollow - 22', 'Fernwood - 22', 'Stonebridge - 22'].map((team) => ({
    series: 'Chicago 22',
    team,
    league_id: 'APTA_CHICAGO',
    points: 10,
    matches: { won: 1, lost: 1, tied: 0 },
    lines: { won: 2, lost: 2, for: 4, ret: 0 },
    sets: { won: 3, lost: 3 },
    games: { won: 20, lost: 20 },
  }));
  await writeFile(path.join(feed, 'series_stats.json'), JSON.stringify(stats));
  return feed;
}

async function count(table: string): Promise<number> {
  const [{ n }] = await t.db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return n;
}

async function run(source: string, allowShrink = false) {
  const started = await startPipeline(t.app, { path: source, allowShrink });
  return started.finished;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-demo-remove-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('demo data that steps aside', () => {
  let realUser: number;
  let keptTeam: number;

  it('records every row it creates while loading', { timeout: 120_000 }, async () => {
    const loaded = await loadDemo(t.app, { teams: 40 });
    expect(loaded.run.status).toBe('SUCCEEDED');
    const recorded = await demoRowCounts(t.app.db);
    for (const table of ['leagues', 'clubs', 'series', 'teams', 'players', 'schedule', 'users', 'polls']) {
      expect(recorded[table], table).toBeGreaterThan(0);
    }
    expect(recorded.teams).toBe(await count('teams'));
    expect(recorded.users).toBe(await count('users'));
  });

  it('a real feed meets the shrink guard, which says the teams are demo data and how to remove them', async () => {
    // Data that is not the demo's: a user of the platform, and a poll that user made on a demo team.
    [{ id: realUser }] = await t.db.query<{ id: number }>(
      `insert into users (email, first_name, last_name) values ('ops@example.test', 'Ops', 'Person') returning id`,
    );
    [{ id: keptTeam }] = await t.db.query<{ id: number }>(
      `select t.id from teams t join leagues l on l.id = t.league_id where l.league_id = 'APTA_CHICAGO' order by t.id limit 1`,
    );
    await t.db.query(
      `insert into polls (team_id, created_by, question) values ($1, $2, 'Practice on Sunday?')`,
      [keptTeam, realUser],
    );

    const guarded = await run(await realFeed());
    expect(guarded.status).toBe('ROLLED_BACK');
    expect(guarded.error?.code).toBe('SHRINK_GUARD');
    const message = guarded.error!.message;
    expect(message).toMatch(
      /more than 25 % needs allowShrink\. All \d+ active teams of APTA_CHICAGO are demo data/,
    );
    expect(message).toContain('`bpetl demo --remove` deletes it, then import again');
    // The CLI names its own flag.
    expect(cliMessage(message)).toContain('more than 25 % needs --allow-shrink.');
    expect(cliMessage(message)).not.toContain('allowShrink');
  });

  it(
    'removal deletes only the demo rows; then the real feed imports with no guard',
    { timeout: 120_000 },
    async () => {
      const teamsBefore = await count('teams');
      const removal = await removeDemoRows(t.app.db, DEMO_SETTING);
      expect(removal.removed.teams).toBe(teamsBefore - 1);
      expect(removal.removed.users).toBeGreaterThan(0);
      // The team the real poll is on stays, with its club, series and league.
      expect(removal.kept).toEqual({ teams: 1, clubs: 1, series: 1, leagues: 1 });
      expect(removal.retired).toEqual({ teams: 1 });
      expect(await t.db.query('select id from teams')).toEqual([{ id: keptTeam }]);
      expect(await t.db.query('select id from users')).toEqual([{ id: realUser }]);
      expect(await count('polls')).toBe(1);
      expect(await count('players')).toBe(0);
      expect((await scanOrphans(t.app.db.manager)).total).toBe(0);

      const imported = await run(await realFeed());
      expect(imported.error).toBeNull();
      expect(imported.status).toBe('SUCCEEDED');
      const [{ n }] = await t.db.query<{ n: number }>(`select count(*)::int as n from teams where is_active`);
      expect(n).toBe(4); // the feed's four; the kept demo team stays retired, its poll pointing at it

      // Still marked as loaded: a server's next start does not load the demo again.
      const [setting] = await t.db.query<{ removed: boolean }>(
        `select value ? 'removedAt' as removed from bpetl.settings where key = $1`,
        [DEMO_SETTING],
      );
      expect(setting?.removed).toBe(true);
      expect(await loadDemoIfEmpty(t.app)).toBeNull();
    },
  );

  it('a second removal finds nothing more to remove', async () => {
    const again = await removeDemoRows(t.app.db, DEMO_SETTING);
    expect(again).toMatchObject({ removed: {}, unrecorded: false });
  });
});
