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
  const orphansIssue = (rows: number) =>
    ({
      check: 'ORPHANS',
      severity: 'CRITICAL',
      table: 'polls',
      subject: 'polls.team_id',
      message: '',
      rows,
      fix: '',
    }) as const;
  it('takes 10 plus up to 40 points for orphans, by the square root of their share of rows', () => {
    // 1 of 100: √0.01 = 0.1, 10 + 40 × 0.1 = 14 points.
    const one = [{ name: 'polls', rows: 100, orphans: 1 }];
    expect(scoreHealth([orphansIssue(1)], one)).toMatchObject({ score: 86, status: 'DEGRADED' });
    // 100 of 100: √1 = 1, 10 + 40 = 50 points.
    const all = [{ name: 'polls', rows: 100, orphans: 100 }];
    expect(scoreHealth([orphansIssue(100)], all)).toMatchObject({ score: 50, status: 'DEGRADED' });
  });
  it('scores the same data lower with 66 orphaned rows than with 12', () => {
    const data = (orphans: number) => [
      { name: 'polls', rows: 3000, orphans },
      { name: 'availability', rows: 2000, orphans: 0 },
    ];
    // 12 of 5000: √0.0024 = 0.04899, × 40 = 1.96, + 10 = 11.96 → 12 points → 88.
    const twelve = scoreHealth([orphansIssue(12)], data(12));
    // 66 of 5000: √0.0132 = 0.11489, × 40 = 4.60, + 10 = 14.60 → 15 points → 85.
    const sixtySix = scoreHealth([orphansIssue(66)], data(66));
    expect(twelve.score).toBe(88);
    expect(sixtySix.score).toBe(85);
    expect(sixtySix.score).toBeLessThan(twelve.score);
    expect(twelve.checks).toEqual([{ check: 'ORPHANS', issues: 1, rows: 12, penalty: 12 }]);
    // 1250 of 5000: √0.25 = 0.5, × 40 = 20, + 10 = 30 points → 70.
    expect(scoreHealth([orphansIssue(1250)], data(1250)).score).toBe(70);
  });
  it("grades each issue by the report's status: the status is the worst severity listed", () => {
    const types = [{ name: 'polls', rows: 100, orphans: 1 }];
    const fk = {
      check: 'MISSING_FOREIGN_KEY',
      severity: 'WARNING',
      table: 'polls',
      subject: 'polls.team_id',
      message: '',
      rows: 0,
      fix: '',
    } as const;
    const removed = { ...fk, check: 'UNPROTECTED_REFERENCE', severity: 'INFO' } as const;
    // DEGRADED: orphans (validate calls them CRITICAL) are a WARNING here; INFO stays INFO.
    const degraded = scoreHealth([orphansIssue(1), fk, removed], types);
    expect(degraded.status).toBe('DEGRADED');
    expect(degraded.issues.map((i) => i.severity)).toEqual(['WARNING', 'WARNING', 'INFO']);
    // 86 - 5 × 8 = 46, below 50: CRITICAL, and so is every issue that cost points.
    const low = scoreHealth([orphansIssue(1), ...Array(8).fill(fk), removed], types);
    expect(low).toMatchObject({ score: 46, status: 'CRITICAL' });
    expect(new Set(low.issues.slice(0, 9).map((i) => i.severity))).toEqual(new Set(['CRITICAL']));
    expect(low.issues[9]!.severity).toBe('INFO');
    // A structural issue is CRITICAL; the others keep the grade of a score of 50 or more.
    const dup = { ...fk, check: 'DUPLICATE_KEY', severity: 'CRITICAL', rows: 2 } as const;
    const structural = scoreHealth([dup, orphansIssue(1)], types);
    expect(structural).toMatchObject({ score: 66, status: 'CRITICAL' });
    expect(structural.issues.map((i) => i.severity)).toEqual(['CRITICAL', 'WARNING']);
    // Only INFO: nothing costs, HEALTHY.
    expect(scoreHealth([removed], [{ name: 'polls', rows: 1, orphans: 0 }])).toMatchObject({
      score: 100,
      status: 'HEALTHY',
    });
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
    // 10 + 40 × √(1/4) = 30 for the orphan, as the README states the score.
    expect(report.types.reduce((n, x) => n + x.rows, 0)).toBe(4);
    expect(report.checks.map(({ check, penalty }) => ({ check, penalty }))).toEqual(
      expect.arrayContaining([
        { check: 'MISSING_FOREIGN_KEY', penalty: 5 },
        { check: 'ORPHANS', penalty: 30 },
      ]),
    );
    expect(report.score).toBe(65);
    // DEGRADED, and no issue in it claims more.
    expect(report.issues.map((i) => i.severity)).toEqual(['WARNING', 'WARNING']);
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
