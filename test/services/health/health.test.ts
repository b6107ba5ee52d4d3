import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HttpServer, startHttpServer } from '../../../src/server/http.ts';
import {
  checkHealth,
  type HealthWatcher,
  scoreHealth,
  startHealthWatcher,
} from '../../../src/services/health/report.ts';
import { useTestApp } from '../../helpers/app.ts';
import { runCli } from '../../helpers/cli.ts';
import { seedPolls, seedTeams, sseReader } from '../orphans/helpers.ts';

const t = useTestApp();
let watcher: HealthWatcher;
let http: HttpServer;

beforeAll(async () => {
  watcher = startHealthWatcher(t.app.db.manager, t.app.pubsub, { debounceMs: 20 });
  http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await http?.close();
  await watcher?.close();
});

const HEALTH = `{ health { score status checkedAt types { name rows orphans } checks { check issues rows penalty }
  issues { check severity table message rows } } }`;

describe('scoreHealth', () => {
  const types = [{ name: 'polls', rows: 100, orphans: 0 }];
  it('is 100 and HEALTHY exactly when there is no issue', () => {
    expect(scoreHealth([], types)).toMatchObject({ score: 100, status: 'HEALTHY', checks: [] });
  });
  it('takes 10 plus up to 40 points for orphans, by their share of rows', () => {
    const one = [{ name: 'polls', rows: 100, orphans: 1 }];
    const issue = {
      check: 'ORPHANS',
      severity: 'CRITICAL',
      table: 'polls',
      subject: 'polls.team_id',
      message: '',
      rows: 1,
      fix: '',
    } as const;
    expect(scoreHealth([issue], one)).toMatchObject({ score: 89, status: 'DEGRADED' });
    const all = [{ name: 'polls', rows: 100, orphans: 100 }];
    expect(scoreHealth([{ ...issue, rows: 100 }], all)).toMatchObject({ score: 50, status: 'DEGRADED' });
  });
  it('is CRITICAL on any structural issue, and never below 0', () => {
    const dup = {
      check: 'DUPLICATE_KEY',
      severity: 'CRITICAL',
      table: 'teams',
      subject: 'k',
      message: '',
      rows: 2,
      fix: '',
    } as const;
    expect(scoreHealth([dup], types)).toMatchObject({ score: 80, status: 'CRITICAL' });
    expect(scoreHealth(Array(6).fill(dup), types).score).toBe(0);
  });
});

describe('health', () => {
  it('reports 100 on a clean database, per protected type, and the CLI exits 0', async () => {
    await seedPolls(t.db.query, await seedTeams(t.db.query, 'clean', 3));
    const result = await t.graphql<{
      health: { score: number; status: string; types: Array<Record<string, unknown>> };
    }>(HEALTH);
    expect(result.data?.health).toMatchObject({ score: 100, status: 'HEALTHY', issues: [], checks: [] });
    expect(result.data?.health.types).toContainEqual({ name: 'polls', rows: 3, orphans: 0 });
    expect(result.data?.health.types.map((x) => x.name)).toEqual(
      expect.arrayContaining(['availability', 'practice_times', 'user_contexts', 'saved_lineups']),
    );
    const cli = await runCli(['health', '--json'], { DATABASE_URL: t.db.url });
    expect(cli.status, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ score: 100, status: 'HEALTHY' });
  });

  it('streams healthChanged: the current report, then the degraded one when an orphan appears', async () => {
    const response = await t.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'subscription { healthChanged { score status types { name orphans } } }',
      }),
    });
    const sse = sseReader(response);
    try {
      const first = await sse.next<{ data: { healthChanged: { score: number } } }>();
      expect(first.data.healthChanged.score).toBe(100);
      await t.db.query(`alter table polls drop constraint polls_team_id_fkey`);
      const [team] = await seedTeams(t.db.query, 'degrade', 1);
      await seedPolls(t.db.query, [team!]);
      await t.db.query(`delete from teams where id = $1`, [team]);
      watcher.poke();
      let next = await sse.next<{ data: { healthChanged: { score: number; status: string } } }>();
      // The dropped foreign key is a change too; the orphan follows.
      while (next.data.healthChanged.status !== 'DEGRADED' || next.data.healthChanged.score > 90) {
        watcher.poke();
        next = await sse.next();
      }
      expect(next.data.healthChanged).toMatchObject({ status: 'DEGRADED' });
    } finally {
      await sse.close();
    }
    const report = await checkHealth(t.app.db.manager);
    expect(report.types.find((x) => x.name === 'polls')).toMatchObject({ orphans: 1 });
    expect(report.checks.map((c) => c.check).sort()).toEqual(['MISSING_FOREIGN_KEY', 'ORPHANS']);
    // Four polls are the only user rows (3 clean, 1 orphaned): 5 points for the dropped key, and
    // 10 + ceil(40 × 1/4) = 20 for the orphan, as the README states the score.
    expect(report.types.reduce((n, x) => n + x.rows, 0)).toBe(4);
    expect(report.checks.map(({ check, penalty }) => ({ check, penalty }))).toEqual(
      expect.arrayContaining([
        { check: 'MISSING_FOREIGN_KEY', penalty: 5 },
        { check: 'ORPHANS', penalty: 20 },
      ]),
    );
    expect(report.score).toBe(75);
    const cli = await runCli(['health'], { DATABASE_URL: t.db.url });
    expect(cli.status, cli.stderr).toBe(1);
    expect(cli.stdout).toMatch(/DEGRADED/);
  });

  it('serves the same on /metrics in Prometheus text format', async () => {
    const response = await fetch(http.url.replace(/\/graphql$/, '/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const report = await checkHealth(t.app.db.manager);
    expect(text).toContain(`bpetl_health_score ${report.score}`);
    expect(text).toContain('bpetl_health_status{status="DEGRADED"} 1');
    expect(text).toContain('bpetl_orphans{type="polls"} 1');
    expect(text).toContain('bpetl_protection_enabled 1');
  });

  it('is CRITICAL when a natural key loses its constraint, and the CLI exits 2', async () => {
    await t.db.query(`alter table teams drop constraint unique_team_club_series_league`);
    const report = await checkHealth(t.app.db.manager);
    expect(report.status).toBe('CRITICAL');
    expect(report.issues).toContainEqual(
      expect.objectContaining({ check: 'MISSING_CONSTRAINT', table: 'teams' }),
    );
    const cli = await runCli(['health', '--json'], { DATABASE_URL: t.db.url });
    expect(cli.status, cli.stderr).toBe(2);
    expect(JSON.parse(cli.stdout)).toMatchObject({ status: 'CRITICAL', score: report.score });
  });
});
