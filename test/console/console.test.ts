import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startServices } from '../../src/app/start-services.ts';
import { writeLeagueFeed } from '../../src/generator/index.ts';
import { type HttpServer, startHttpServer } from '../../src/server/http.ts';
import { useTestApp } from '../helpers/app.ts';
import { recordIn } from '../helpers/log-findings.ts';
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
    await screenshot(page, 'health-start');
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
      // Steps take their time on a busy machine: the poll waits as long as a run may.
      const steps = () => page.getByTestId('run-steps').textContent();
      await expect.poll(steps, { timeout: 30_000 }).toContain('snapshot');
      await expect.poll(steps, { timeout: 30_000 }).toContain('import');
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

  it('shows a team deleted with SQL within 2 s, repairs it after a dry run, and undoes the repair', async () => {
    // A legacy database: nothing stops a script from deleting a team that polls still reference.
    await t.db.query('alter table polls drop constraint polls_team_id_fkey');
    // A team of its own (imported ones are held by players and fixtures), with a poll on it.
    const [team] = await t.db.query<{ id: number; club: string; team_name: string }>(
      `with l as (insert into leagues (league_id, league_name) values ('LAKE', 'Lake League') returning id),
            s as (insert into series (name, league_id) select 'Lake 7', id from l returning id, league_id),
            c as (insert into clubs (name) values ('Lakeside Paddle') returning id, name)
       insert into teams (club_id, series_id, league_id, team_name)
       select c.id, s.id, s.league_id, 'Lakeside Paddle - 7' from c, s
       returning id, (select name from c) as club, team_name`,
    );
    const [poll] = await t.db.query<{ id: number }>(
      `insert into polls (team_id, question) values ($1, 'Who plays Friday?') returning id`,
      [team!.id],
    );
    const { page, errors } = await openConsole(browser, origin, '#/orphans');
    await expect.poll(() => page.getByTestId('live-badge').textContent()).toContain('live');
    const [vanished] = await t.db.query<Record<string, unknown>>(
      'delete from teams where id = $1 returning club_id, series_id, league_id, team_name, team_alias',
      [team!.id],
    );
    const row = page.locator('[data-testid=orphans-table] tbody tr', { hasText: `polls #${poll!.id}` });
    // The promise the console makes: a new orphan is on screen within two seconds of its commit.
    await row.waitFor({ timeout: 2000 });
    expect(await row.innerText()).toContain(`team "${team!.team_name}"`);
    expect(await row.innerText()).toContain(`club ${team!.club}`);

    // The team comes back under a new id: the repair re-points the poll to it.
    const [revived] = await t.db.query<{ id: number }>(
      `insert into teams (club_id, series_id, league_id, team_name, team_alias) values ($1, $2, $3, $4, $5)
       returning id`,
      [
        vanished!.club_id,
        vanished!.series_id,
        vanished!.league_id,
        vanished!.team_name,
        vanished!.team_alias,
      ],
    );
    await page.getByRole('button', { name: 'Plan repair (dry run)' }).click();
    await expect.poll(() => row.innerText()).toContain(`→ ${revived!.id}`);
    await screenshot(page, 'orphans-repair-plan');
    const [{ team_id: stillDangling }] = await t.db.query<{ team_id: number }>(
      'select team_id from polls where id = $1',
      [poll!.id],
    );
    expect(stillDangling).toBe(team!.id);
    await page.getByRole('button', { name: /^Repair \d+ row/ }).click();
    await expect.poll(() => row.innerText()).toContain('REPAIRED');
    const pollTeam = async () =>
      (await t.db.query<{ team_id: number }>('select team_id from polls where id = $1', [poll!.id]))[0]!
        .team_id;
    expect(await pollTeam()).toBe(revived!.id);

    const { data } = await t.graphql<{ repairs: Array<{ id: string }> }>('{ repairs(first: 1) { id } }');
    await page.getByRole('button', { name: `Undo repair ${data!.repairs[0]!.id}` }).click();
    await expect.poll(pollTeam).toBe(team!.id);
    await expect.poll(() => page.getByTestId('repairs-table').innerText()).toContain('undone');
    // The undo made the poll dangle again: the stream shows that as a new open event.
    await expect.poll(() => page.locator('tr.open', { hasText: `polls #${poll!.id}` }).count()).toBe(1);
    await screenshot(page, 'orphans-undo');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('resumes the orphan stream after a reload without a gap or a repeat', async () => {
    const { page, errors } = await openConsole(browser, origin, '#/orphans');
    const dangle = (question: string) =>
      t.db.query(`insert into polls (team_id, question) values (2147483000, $1)`, [question]);
    await expect.poll(() => page.getByTestId('live-badge').textContent()).toContain('live');
    // A tab's first look: the open orphans, then every event after its cursor.
    const firstShown = await shownEventIds(page);
    const start = Number(await page.getByTestId('orphan-cursor').textContent());
    const allEvents = async () =>
      (await t.db.query<{ id: string }>('select id::text from bpetl.orphan_events order by id'))
        .map((e) => e.id)
        .filter((id) => Number(id) > start || firstShown.includes(id));
    await dangle('before the reload');
    await expect.poll(async () => (await shownEventIds(page)).reverse()).toEqual(await allEvents());
    // One event lands while the page reloads, one after: each must be shown once, in order.
    const reloaded = page.reload();
    await dangle('during the reload');
    await reloaded;
    await expect.poll(() => page.getByTestId('live-badge').textContent()).toContain('live');
    await dangle('after the reload');
    const expected = await allEvents();
    await expect.poll(async () => (await shownEventIds(page)).reverse()).toEqual(expected);
    expect(await page.getByTestId('orphan-cursor').textContent()).toBe(expected.at(-1));
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows protection, snapshots with a restore dry run, log findings per day and live alerts', async () => {
    const { page, errors } = await openConsole(browser, origin, '#/protection');
    await page.getByTestId('protection-table').waitFor();
    // Every spec entry with its origin and trigger state, as the protection query gives them.
    const references = page.getByTestId('protection-references');
    await expect.poll(() => references.locator('tbody tr').count()).toBeGreaterThan(5);
    const polls = references.locator('tbody tr', { hasText: 'polls.team_id' });
    await expect
      .poll(() => polls.innerText())
      .toMatch(
        /^polls\.team_id\s+teams\.id\s+(foreign key|built in)\s+team\s+(NO ACTION|no foreign key)\s+attached$/,
      );
    await page
      .getByRole('button', { name: /^Plan a restore from snapshot/ })
      .first()
      .click();
    await expect.poll(() => page.getByTestId('restore-plan').innerText()).toContain('Dry run of a restore');
    await screenshot(page, 'protection');

    const day = (daysAgo: number, hour: number) =>
      new Date(Date.now() - daysAgo * 86_400_000).toISOString().replace(/T.*/, `T${hour}:00:00.000Z`);
    const finding = (category: string, message: string, count: number, daysAgo: number) => ({
      category,
      fingerprint: `${category} ${message}`,
      count,
      firstSeen: day(daysAgo, 10),
      lastSeen: day(daysAgo, 11),
      files: ['/var/log/postgresql/postgresql-15-main.log'],
      sample: `ERROR:  ${message}`,
    });
    await recordIn(
      t.db,
      [
        finding('DEADLOCK', 'deadlock detected', 4, 2),
        finding('CONSTRAINT_VIOLATION', 'duplicate key value violates unique constraint "teams_pkey"', 12, 1),
        finding('CONNECTION_TIMEOUT', 'canceling statement due to statement timeout', 3, 0),
      ],
      { thresholds: {} },
    );
    await page.goto(`${origin}/#/logs`);
    await expect.poll(() => page.getByTestId('live-badge').textContent()).toContain('live');
    await expect.poll(() => page.getByTestId('findings-table').innerText()).toContain('deadlock detected');
    // The chart draws the monitor's counts per day.
    await page.getByRole('img', { name: 'Log occurrences per category per day' }).waitFor();
    await recordIn(t.db, [
      {
        ...finding(
          'ORPHAN_INDICATOR',
          'insert or update on table "polls" violates foreign key constraint',
          1,
          0,
        ),
        lastSeen: new Date().toISOString(),
      },
    ]);
    await expect.poll(() => page.getByTestId('log-alerts').innerText()).toContain('ORPHAN_INDICATOR');
    await screenshot(page, 'logs');

    // What no strategy can match (polls of a team that never existed) is quarantined with its reason.
    await page.goto(`${origin}/#/orphans`);
    await page.getByRole('button', { name: 'Plan repair (dry run)' }).click();
    await expect
      .poll(() => page.getByTestId('repair-plan').innerText())
      .toMatch(/[1-9]\d* would be quarantined/);
    await page.getByRole('button', { name: /^Repair \d+ row/ }).click();
    await expect.poll(() => page.getByTestId('quarantine-table').innerText()).toContain('NO_MATCH');
    await screenshot(page, 'orphans');

    // The score over time: every change of the report since the tests began.
    await page.goto(`${origin}/#/health`);
    await page.getByRole('img', { name: /Health score over/ }).waitFor();
    await screenshot(page, 'health');

    await page.setViewportSize(PHONE);
    await page.goto(`${origin}/#/health`);
    await page.getByTestId('health-score').waitFor();
    await screenshot(page, 'health-phone', false);
    await page.goto(`${origin}/#/orphans`);
    await page.getByTestId('orphans-table').waitFor();
    await screenshot(page, 'orphans-phone', false);
    expect(errors).toEqual([]);
    await page.close();
  });
});
