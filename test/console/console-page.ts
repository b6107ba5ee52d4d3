import { mkdir } from 'node:fs/promises';
import path from 'node:path';

import { type Browser, chromium, type Page } from 'playwright-core';

import { CHROMIUM_ARGS, cutOffNetwork, findChromium } from '../helpers/chromium.ts';
import { ROOT } from '../helpers/cli.ts';

export const executablePath = findChromium();
// CI installs Debian's chromium; on a machine without it the browser tests cannot run and say so.
if (!executablePath && process.env.CI) {
  throw new Error('chromium is not installed: .ci/run installs it with apt-get');
}

/** Screenshots of every page, kept as test artifacts (copies of them illustrate docs/console). */
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'console');

export async function launchBrowser(): Promise<Browser> {
  await mkdir(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: executablePath!, args: CHROMIUM_ARGS });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** A tab on the console with everything but its own server cut off; failed requests are collected. */
export async function openConsole(
  browser: Browser,
  origin: string,
  hash = '#/health',
  viewport = DESKTOP,
): Promise<{ page: Page; failed: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const failed: string[] = [];
  const errors: string[] = [];
  page.on('requestfailed', (request) => {
    // Streams the console closes itself (leaving a page, a reload) end as aborted requests.
    if (!request.url().startsWith(`${origin}/graphql`)) failed.push(request.url());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await cutOffNetwork(page, origin);
  await page.goto(`${origin}/${hash}`);
  return { page, failed, errors };
}

export async function screenshot(page: Page, name: string, fullPage = true): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage });
}
