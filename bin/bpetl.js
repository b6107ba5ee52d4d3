#!/usr/bin/env node
// The compiled CLI (dist/, built by `npm install` / `npm ci` through `prepare`), or, in a checkout
// that was never built (`npm ci --ignore-scripts`), the TypeScript source through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/main.ts');
}
