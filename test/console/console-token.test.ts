import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type HttpServer, startHttpServer } from '../../src/server/http.ts';
import { useTestApp } from '../helpers/app.ts';
import { executablePath, launchBrowser, openConsole, screenshot } from './console-page.ts';

const TOKEN = 'console-test-token-0123456789';
const t = useTestApp({ apiToken: TOKEN });
let http: HttpServer;
let origin: string;
let browser: Browser;

beforeAll(async () => {
  if (!executablePath) return;
  http = await startHttpServer(t.app, { port: 0, host: '127.0.0.1' });
  origin = http.url.replace(/\/graphql$/, '');
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await http?.close();
});

describe.skipIf(!executablePath)('the console with BPETL_API_TOKEN set', () => {
  it('asks for the token once, refuses a wrong one, and keeps the right one for the tab', async () => {
    const { page, errors } = await openConsole(browser, origin);
    const dialog = page.getByRole('dialog', { name: 'API token' });
    await dialog.waitFor();
    await dialog.getByLabel('Token').fill('not-the-token-at-all');
    await dialog.getByRole('button', { name: 'Use token' }).click();
    await page.getByTestId('token-refused').waitFor();
    await screenshot(page, 'token', false);
    expect(await page.getByTestId('live-badge').textContent()).toContain('reconnecting');

    await dialog.getByLabel('Token').fill(TOKEN);
    await dialog.getByRole('button', { name: 'Use token' }).click();
    await dialog.waitFor({ state: 'hidden' });
    // The live stream is a subscription: open only with the right token.
    await expect.poll(() => page.getByTestId('live-badge').textContent()).toContain('live');
    expect(await page.evaluate(() => sessionStorage.getItem('bpetl.apiToken'))).toBe(TOKEN);

    // A reload keeps it: no second prompt, and mutations go through.
    await page.reload();
    await page.goto(`${origin}/#/protection`);
    await page.getByRole('button', { name: 'Disable protection' }).click();
    await page
      .getByRole('dialog', { name: /Disable real-time orphan detection/ })
      .getByRole('button', { name: 'Disable' })
      .click();
    await expect.poll(() => page.getByTestId('protection-state').textContent()).toContain('disabled');
    expect(await dialog.isVisible()).toBe(false);
    const { data } = await t.graphql<{ protection: { enabled: boolean } }>(
      '{ protection { enabled } }',
      undefined,
      {
        token: TOKEN,
      },
    );
    expect(data!.protection.enabled).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });
});
