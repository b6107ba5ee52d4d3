import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startServices } from '../../src/app/start-services.ts';
import { type HttpServer, startHttpServer } from '../../src/server/http.ts';
import { useTestApp } from '../helpers/app.ts';
import { CHROMIUM_ARGS, cutOffNetwork, findChromium } from '../helpers/chromium.ts';
import { ROOT } from '../helpers/cli.ts';

const executablePath = findChromium();
// CI installs Debian's chromium; on a machine without it the browser test cannot run and says so.
if (!executablePath && process.env.CI) {
  throw new Error('chromium is not installed: .ci/run installs it with apt-get');
}

const t = useTestApp();
let http: HttpServer;
let browser: Browser;
const ARTIFACTS = path.join(ROOT, 'test-results');

beforeAll(async () => {
  if (!executablePath) return;
  await t.db.query(`
    insert into leagues (league_id, league_name) values ('CITA', 'Chicago Indoor');
    insert into clubs (name) values ('Harbor Point');
    insert into series (name, league_id) values ('Series 4.5 & Under Fri', 1);
    insert into teams (club_id, series_id, league_id, team_name) values (1, 1, 1, 'Harbor Point');`);
  // As `bpetl serve` runs: background services (the orphan listener) and the HTTP server.
  await startServices(t.app, { loadDemoOnFirstStart: false });
  http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  await mkdir(ARTIFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await http?.close();
});

async function openGraphiQL(page: Page, query: string): Promise<void> {
  await cutOffNetwork(page, http.url.replace(/\/graphql$/, ''));
  await page.goto(`${http.url}?query=${encodeURIComponent(query)}`);
  await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
}

/** The response pane as plain text (the editor renders spaces as non-breaking ones). */
async function responseText(page: Page): Promise<string> {
  return (await page.locator('.graphiql-response').innerText()).replace(/\s+/g, ' ');
}

describe.skipIf(!executablePath)('GraphiQL in a real browser', () => {
  it('loads with no internet and runs a query', async () => {
    const page = await browser.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    await openGraphiQL(
      page,
      '{ teams(first: 5) { edges { node { teamName club { name } league { leagueId } } } } }',
    );
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => responseText(page), { timeout: 30_000 }).toContain('"teamName": "Harbor Point"');
    expect(await responseText(page)).toContain('"leagueId": "CITA"');
    await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql-query.png') });
    expect(failed).toEqual([]);
    await page.close();
  });

  it('shows a live orphanDetected event from a subscription', async () => {
    await t.db.query(`insert into polls (team_id, question) values (1, 'Friday lineup?')`);
    const page = await browser.newPage();
    await openGraphiQL(page, 'subscription { orphanDetected { table rowId column missingRef } }');
    await page.locator('.graphiql-execute-button').click();
    // The subscription is open once GraphiQL offers to stop it.
    await expect
      .poll(() => page.locator('.graphiql-execute-button').getAttribute('aria-label'))
      .toMatch(/stop/i);
    // The button turns before the request reaches the server: wait until the server streams it, or
    // the delete below could come first and, being older than the subscription, never be sent.
    const metrics = http.url.replace(/\/graphql$/, '/metrics');
    await expect
      .poll(async () => (await fetch(metrics)).text(), { timeout: 30_000 })
      .toMatch(/^bpetl_subscriptions_active\{field="orphanDetected"\} 1$/m);
    await t.db.query(
      `set session_replication_role = replica; delete from teams where id = 1; reset session_replication_role`,
    );
    await expect
      .poll(() => responseText(page), { timeout: 30_000 })
      .toContain('"table": "polls", "rowId": "1", "column": "team_id", "missingRef": "1"');
    await page.screenshot({ path: path.join(ARTIFACTS, 'graphiql-orphan-detected.png') });
    await page.close();
  });
});
