import { execFileSync } from 'node:child_process';

import type { Page } from 'playwright-core';

/** Debian's chromium, as `.ci/run` installs it; null where none is installed. */
export function findChromium(): string | null {
  try {
    return (
      execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], {
        encoding: 'utf8',
      }).trim() || null
    );
  } catch {
    return null;
  }
}

/** Flags that keep a headless Chromium off the network and working as root. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Lets the page reach `origin` (and blob:/data: URLs) only: what it shows must work with no internet. */
export async function cutOffNetwork(page: Page, origin: string): Promise<void> {
  await page.route('**/*', (route) => {
    const url = route.request().url();
    return url.startsWith(origin) || url.startsWith('blob:') || url.startsWith('data:')
      ? route.continue()
      : route.abort();
  });
}
