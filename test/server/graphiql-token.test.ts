import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HttpServer, startHttpServer } from '../../src/server/http.ts';
import { useTestApp } from '../helpers/app.ts';
import { CHROMIUM_ARGS, findChromium } from '../helpers/chromium.ts';

const executablePath = findChromium();
if (!executablePath && process.env.CI) {
  throw new Error('chromium is not installed: .ci/run installs it with apt-get');
}

const TOKEN = 'graphiql-token-0123456789';
const t = useTestApp({ apiToken: TOKEN });
let http: HttpServer;
let browser: Browser;

beforeAll(async () => {
  if (!executablePath) return;
  await t.db.query(`insert into leagues (league_id, league_name) values ('NSTF', 'North Shore')`);
  http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await http?.close();
});

describe.skipIf(!executablePath)('GraphiQL on a server with a token', () => {
  it('asks for the token once, keeps it for the tab, and runs queries with it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const prompts: string[] = [];
    page.on('dialog', (dialog) => {
      prompts.push(dialog.message());
      void dialog.accept(TOKEN);
    });
    await page.goto(`${http.url}?query=${encodeURIComponent('{ leagues { leagueId } }')}`);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
    const response = () => page.locator('.graphiql-response').innerText();
    for (let run = 0; run < 2; run++) {
      await page.locator('.graphiql-execute-button').click();
      await expect.poll(() => response(), { timeout: 30_000 }).toContain('NSTF');
    }
    await page.reload();
    await page.locator('.graphiql-execute-button').click();
    await expect.poll(() => response(), { timeout: 30_000 }).toContain('NSTF');
    expect(prompts).toEqual(['API token (BPETL_API_TOKEN); kept for this tab only']);
    await context.close();
  });

  it('a wrong token is forgotten, so the next request asks again', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const answers = ['wrong-token-0123456789', TOKEN];
    let prompts = 0;
    page.on('dialog', (dialog) => void dialog.accept(answers[prompts++] ?? ''));
    await page.goto(`${http.url}?query=${encodeURIComponent('{ leagues { leagueId } }')}`);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
    await page.locator('.graphiql-execute-button').click();
    await expect
      .poll(() => page.locator('.graphiql-response').innerText(), { timeout: 30_000 })
      .toContain('NSTF');
    expect(prompts).toBe(2);
    await context.close();
  });
});
