import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { writeLeagueFeed } from '../../src/generator/index.ts';
import { type HttpServer, startHttpServer } from '../../src/server/http.ts';
import { startServices } from '../../src/server/start-services.ts';
import { recordFindings } from '../../src/services/log-findings.ts';
import { useTestApp } from '../helpers/app.ts';
import { executablePath, launchBrowser, openConsole, PHONE, screenshot } from './console-page.ts';

const importDir = await mkdtemp(path.join(os.tmpdir(), 'bpetl-console-'));
const t = useTestApp({ importDir });
let http: HttpServer;
let origin: string;
let browser: Browser;
let feedTeams: number;

beforeAll(async () => {
  if (!executablePath) return;
  feedTeams = (await writeLeagueFeed(path.join(importDir, 'feed'), { seed: 'console', teams: 120 })).teams;
  await startServices(t.app, { loadDemoOnFirstStart: false });
  http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  origin = http.url.replace(/\/graphql$/, '');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await http?.close();
  await rm(importDir, { recursive: true, force: true });
});

/** The event ids the orphans table shows, in the order shown. */
async function shownEventIds(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid=orphans-table] tbody tr')
    .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event-id') ?? ''));
}

describe.skipIf(!executablePath)('the operator console in a real browser', () => {
  it('is served compressed with cache headers, GraphiQL still at /graphql', async () => {
    const index = await fetch(`${origin}/`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${origin}${script}`, { headers: { 'accept-encoding': 'gzip' } });
    expect(asset.headers.get('content-encoding')).toBe('gzip');
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const graphiql = await fetch(http.url, { headers: { accept: 'text/html' } });
    expect(await graphiql.text()).toContain('graphiql');
  });

  it('loads with no internet and shows the health score', async () => {
    const { page, failed, errors } = await openConsole(browser, origin);
    const { data } = await t.graphql<{ health: { score: number } }>('{ health { score } }');
    await expect.poll(() => page.getByTestId('health-score').textContent()).toBe(String(data!.health.score));
    await expect.poll(() => page.getByTestId('live-badge').textContent()).toContain('live');
    await screenshot(page, 'health');
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('plans an import, runs it with live progress, and it ends SUCCEEDED with its counts', async () => {
    const { page, errors } = await openConsole(browser, origin, '#/runs/new');
    await page.getByLabel('Path relative to the import directory').fill('feed');
    await screenshot(page, 'new-import');
    await page.getByRole('button', { name: 'Plan import (dry run)' }).click();
    await page.getByText('Plan (nothing was written)').waitFor();
    const [{ count: before }] = await t.db.query<{ count: string }>('select count(*) from teams');
    expect(before).toBe('0');

    // A session holding the teams table makes the real run wait mid-import, so its progress is
    // watched while it runs rather than raced.
    const blocker = new pg.Client({ connectionString: t.db.url });
    await blocker.connect();
    try {
      await blocker.query('begin; lock table teams in share mode');
      await page.getByRole('button', { name: 'Import for real' }).click();
      await page.getByTestId('run-progress').waitFor();
      await expect.poll(() => page.getByTestId('run-steps').textContent()).toContain('snapshot');
      await expect.poll(() => page.getByTestId('run-steps').textContent()).toContain('import');
      await screenshot(page, 'run-progress');
    } finally {
      await blocker.query('rollback').finally(() => blocker.end());
    }
    await page.getByText('SUCCEEDED').first().waitFor({ timeout: 30_000 });
    const runId = /#\/runs\/(\d+)/.exec(page.url())![1]!;
    const { data } = await t.graphql<{
      pipelineRun: { status: string; stats: { import: { tables: Record<string, { inserted: number }> } } };
    }>('query ($id: ID!) { pipelineRun(id: $id) { status stats } }', { id: runId });
    expect(data!.pipelineRun.status).toBe('SUCCEEDED');
    const tables = data!.pipelineRun.stats.import.tables;
    const [{ count: after }] = await t.db.query<{ count: string }>('select count(*) from teams');
    expect(tables.teams!.inserted).toBe(Number(after));
    expect(Number(after)).toBeGreaterThanOrEqual(feedTeams);
    const inserted = Object.values(tables).reduce((sum, c) => sum + c.inserted, 0);
    await expect
      .poll(() => page.getByTestId('run-counts').innerText())
      .toMatch(new RegExp(`inserted\\s+${inserted.toLocaleString('en-US')}`));
    await screenshot(page, 'run');
    await page.goto(`${origin}/#/runs`);
    await page.getByRole('link', { name: `#${runId}` }).waitFor();
    await page.getByLabel('Status').selectOption('SUCCEEDED');
    await screenshot(page, 'runs');
    expect(errors).toEqual([]);
    await page.close();
  });
});
