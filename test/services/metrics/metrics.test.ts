import { spawnSync } from 'node:child_process';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createApp } from '../../../src/app/app.ts';
import { startServices } from '../../../src/app/start-services.ts';
import { loadConfig } from '../../../src/config.ts';
import type { Db } from '../../../src/db/sql.ts';
import { LISTENER_APPLICATION_NAME } from '../../../src/events/listener.ts';
import { type HttpServer, startHttpServer } from '../../../src/server/http.ts';
import { checkReadiness } from '../../../src/services/metrics/readiness.ts';
import { startPipeline } from '../../../src/services/pipeline/run-pipeline.ts';
import type { PipelineRun } from '../../../src/services/pipeline/runs.ts';
import { useTestApp } from '../../helpers/app.ts';
import { fixtureFeed } from '../../helpers/fixtures.ts';
import { sample } from '../../helpers/prometheus.ts';
import { subscribeOrphans } from '../orphans/helpers.ts';

const t = useTestApp();
let http: HttpServer;
const base = () => http.url.replace(/\/graphql$/, '');

const PROMTOOL = spawnSync('promtool', ['--version']).status === 0;
const NO_PROMTOOL =
  ' (SKIPPED: promtool is not installed; `apt-get install prometheus` provides it, .ci/run does)';

beforeAll(async () => {
  await startServices(t.app, { loadDemoOnFirstStart: false });
  http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await http?.close();
});

async function scrape(): Promise<string> {
  const response = await fetch(`${base()}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

async function eventually(check: () => Promise<boolean>, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('/livez and /readyz', () => {
  it('/livez answers while the process serves', async () => {
    const response = await fetch(`${base()}/livez`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 with every check when the database, migrations and listener are fine', async () => {
    const response = await fetch(`${base()}/readyz`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      status: 'ready',
      checks: { database: { ok: true }, migrations: { ok: true }, listener: { ok: true } },
    });
    expect((await fetch(`${base()}/readyz`, { method: 'POST' })).status).toBe(405);
  });

  it('/readyz is 503 with the reason when a migration is pending', async () => {
    const [last] = await t.db.query<{ id: number; name: string }>(
      `delete from bpetl.migrations where id = (select max(id) from bpetl.migrations) returning id, name`,
    );
    try {
      const response = await fetch(`${base()}/readyz`);
      expect(response.status).toBe(503);
      const body = (await response.json()) as { status: string; reason: string; checks: unknown };
      expect(body.status).toBe('not ready');
      expect(body.reason).toBe(`1 migration(s) pending (${last!.id}): run bpetl migrate`);
      expect(body.checks).toMatchObject({ database: { ok: true }, migrations: { ok: false } });
    } finally {
      await t.db.query(`insert into bpetl.migrations (id, name) values ($1, $2)`, [last!.id, last!.name]);
    }
  });

  it('is not ready when the database hangs or fails, or the listener is not open, saying which', async () => {
    const hanging = { query: () => new Promise(() => undefined) } as unknown as Db;
    const failing = {
      query: () => Promise.reject(new Error('connect ECONNREFUSED 10.0.0.1:5432')),
    } as unknown as Db;
    const slow = await checkReadiness({ db: hanging, listener: t.app.listener }, { timeoutMs: 50 });
    expect(slow).toMatchObject({ ready: false, reason: 'the database did not answer within 50 ms' });
    const down = await checkReadiness({ db: failing, listener: t.app.listener });
    expect(down.ready).toBe(false);
    // The driver's message (addresses) stays in the log: the probe answers anyone.
    expect(JSON.stringify(down)).not.toContain('10.0.0.1');
    expect(down.reason).toBe('the database is unreachable (the log says why)');

    const idle = await createApp(loadConfig({}), t.db.url);
    try {
      expect(await checkReadiness(idle)).toMatchObject({
        ready: false,
        reason: 'the LISTEN connection is not open (no background services started)',
        checks: { database: { ok: true }, migrations: { ok: true }, listener: { ok: false } },
      });
    } finally {
      await idle.close();
    }
  });
});

describe('/metrics', () => {
  let succeeded: PipelineRun;

  it('counts runs, their durations by step, and what the last runs did, from the database', async () => {
    succeeded = await (await startPipeline(t.app, { path: fixtureFeed('2025-06-21') })).finished;
    expect(succeeded.status, JSON.stringify(succeeded.error)).toBe('SUCCEEDED');
    const dry = await (
      await startPipeline(t.app, { path: fixtureFeed('2025-06-30'), dryRun: true })
    ).finished;
    expect(dry.status).toBe('SUCCEEDED');
    for (let i = 0; i < 2; i++) {
      const failed = await (await startPipeline(t.app, { path: '/nonexistent/feed' })).finished;
      expect(failed.status).toBe('FAILED');
    }

    const text = await scrape();
    expect(sample(text, 'bpetl_pipeline_runs_total', { status: 'SUCCEEDED', dry_run: 'false' })).toBe(1);
    expect(sample(text, 'bpetl_pipeline_runs_total', { status: 'SUCCEEDED', dry_run: 'true' })).toBe(1);
    expect(sample(text, 'bpetl_pipeline_runs_total', { status: 'FAILED', dry_run: 'false' })).toBe(2);
    expect(sample(text, 'bpetl_pipeline_runs_total', { status: 'ROLLED_BACK', dry_run: 'false' })).toBe(0);
    expect(sample(text, 'bpetl_pipeline_consecutive_failures')).toBe(2);

    // Whole runs, and the steps that finished (the failed runs' import did not).
    const h = 'bpetl_pipeline_run_duration_seconds';
    expect(sample(text, `${h}_count`, { step: 'run' })).toBe(4);
    expect(sample(text, `${h}_count`, { step: 'validate' })).toBe(4);
    expect(sample(text, `${h}_count`, { step: 'import' })).toBe(2);
    expect(sample(text, `${h}_bucket`, { step: 'import', le: '+Inf' })).toBe(2);
    expect(sample(text, `${h}_bucket`, { step: 'run', le: '3600' })).toBe(4);
    const runSeconds = (succeeded.finishedAt!.getTime() - succeeded.startedAt!.getTime()) / 1000;
    expect(sample(text, `${h}_sum`, { step: 'run' })).toBeGreaterThanOrEqual(runSeconds);

    const stats = (succeeded.stats as { import: Record<string, unknown> }).import as {
      scope: string[];
      rejected: number;
      warnings?: unknown[];
      tables: Record<string, Record<string, number>>;
    };
    expect(stats.scope.length).toBeGreaterThan(0);
    for (const league of stats.scope) {
      expect(sample(text, 'bpetl_import_last_success_timestamp_seconds', { league })).toBeCloseTo(
        succeeded.finishedAt!.getTime() / 1000,
        0,
      );
    }
    for (const [table, counts] of Object.entries(stats.tables)) {
      for (const [action, value] of Object.entries(counts)) {
        expect(sample(text, 'bpetl_import_rows', { table, action }), `${table} ${action}`).toBe(value);
      }
    }
    expect(stats.tables.teams!.inserted).toBeGreaterThan(800);
    // The failed runs never reached their import: the last run that did is the successful one.
    expect(sample(text, 'bpetl_import_rejected_records')).toBe(stats.rejected);
    expect(sample(text, 'bpetl_import_warnings')).toBe((stats.warnings ?? []).length);
  });

  it('reports the same from another instance, and after a restart', async () => {
    const other = await createApp(loadConfig({}), t.db.url);
    try {
      const fromDatabase = (text: string) =>
        text
          .split('\n')
          .filter((l) => /^bpetl_(pipeline|import|health|orphan|protected|log)_/.test(l))
          .join('\n');
      const [here, there] = [await scrape(), await other.metrics.render()];
      expect(fromDatabase(there)).toBe(fromDatabase(here));
      expect(fromDatabase(there)).toContain('bpetl_pipeline_runs_total{status="FAILED",dry_run="false"} 2');

      // One more run: the instance that summed the ended runs already adds just the new one.
      const failed = await (await startPipeline(other, { path: '/nonexistent/feed' })).finished;
      expect(failed.status).toBe('FAILED');
      const [again, otherAgain] = [await scrape(), await other.metrics.render()];
      expect(sample(again, 'bpetl_pipeline_run_duration_seconds_count', { step: 'run' })).toBe(5);
      expect(sample(again, 'bpetl_pipeline_run_duration_seconds_count', { step: 'validate' })).toBe(5);
      expect(sample(again, 'bpetl_pipeline_consecutive_failures')).toBe(3);
      expect(fromDatabase(otherAgain)).toBe(fromDatabase(again));
    } finally {
      await other.close();
    }
  });

  it('counts orphan events and log findings and alerts per category', async () => {
    const before = sample(await scrape(), 'bpetl_orphan_events_total') ?? 0;
    await t.db.query(
      `insert into bpetl.orphan_events (reference, source_table, source_column, row_id, missing_ref,
                                        target_table, target_column, cause, resolved_at, resolution)
       values ('polls.team_id', 'polls', 'team_id', 424242, '99999', 'teams', 'id', 'SCAN', now(), 'ROW_DELETED')`,
    );
    await t.db.query(
      `insert into bpetl.log_findings (fingerprint, category, count, sample)
       values ('metrics-test-1', 'DEADLOCK', 3, 'deadlock detected'),
              ('metrics-test-2', 'DEADLOCK', 2, 'deadlock detected again'),
              ('metrics-test-3', 'CUSTOM_PATTERN', 4, 'custom')`,
    );
    await t.db.query(
      `insert into bpetl.log_alerts (category, count, threshold, window_seconds) values ('DEADLOCK', 5, 3, 300)`,
    );
    const text = await scrape();
    expect(sample(text, 'bpetl_orphan_events_total')).toBe(before + 1);
    expect(sample(text, 'bpetl_log_findings_total', { category: 'DEADLOCK' })).toBe(5);
    expect(sample(text, 'bpetl_log_findings_total', { category: 'CUSTOM_PATTERN' })).toBe(4);
    // Built-in categories are there at 0 before they first occur, so increase() sees the first one.
    expect(sample(text, 'bpetl_log_findings_total', { category: 'UPSERT_FAILURE' })).toBe(0);
    expect(sample(text, 'bpetl_log_alerts_total', { category: 'DEADLOCK' })).toBe(1);
    expect(sample(text, 'bpetl_log_alerts_total', { category: 'CONNECTION_TIMEOUT' })).toBe(0);
  });

  it("reports this process's listener per channel, and counts its reconnects", async () => {
    const text = await scrape();
    for (const channel of t.app.listener.state().channels) {
      expect(sample(text, 'bpetl_listener_connected', { channel }), channel).toBe(1);
    }
    expect(sample(text, 'bpetl_listener_connected', { channel: 'bpetl_orphan_event' })).toBe(1);
    expect(sample(text, 'bpetl_listener_reconnects_total')).toBe(0);

    await t.db.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
        where application_name = $1 and datname = current_database()`,
      [LISTENER_APPLICATION_NAME],
    );
    await eventually(async () => {
      const after = await scrape();
      return (
        sample(after, 'bpetl_listener_reconnects_total') === 1 &&
        sample(after, 'bpetl_listener_connected', { channel: 'bpetl_orphan_event' }) === 1
      );
    }, 'the listener to reconnect');
    expect((await fetch(`${base()}/readyz`)).status).toBe(200);
  });

  it('counts open subscriptions per field, and forgets one when its client leaves', async () => {
    const field = { field: 'orphanDetected' };
    expect(sample(await scrape(), 'bpetl_subscriptions_active', field) ?? 0).toBe(0);
    const subscription = await subscribeOrphans(fetch, http.url, null);
    await eventually(
      async () => sample(await scrape(), 'bpetl_subscriptions_active', field) === 1,
      'the subscription to count',
    );
    await subscription.close();
    await eventually(
      async () => sample(await scrape(), 'bpetl_subscriptions_active', field) === 0,
      'the subscription to end',
    );
  });

  it('has the process metrics under bpetl_', async () => {
    const text = await scrape();
    expect(sample(text, 'bpetl_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'bpetl_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE bpetl_nodejs_eventloop_lag_seconds gauge');
  });

  it.skipIf(!PROMTOOL)(
    `passes promtool check metrics after an import${PROMTOOL ? '' : NO_PROMTOOL}`,
    async () => {
      const text = await scrape();
      expect(sample(text, 'bpetl_pipeline_runs_total', { status: 'SUCCEEDED', dry_run: 'false' })).toBe(1);
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      expect(`${check.stdout}${check.stderr}`).toBe('');
      expect(check.status).toBe(0);
    },
  );
});
