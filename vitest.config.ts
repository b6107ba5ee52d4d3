// Quiet the logger in the main process too (global setup); a test that needs logs sets LOG_LEVEL itself.
process.env.LOG_LEVEL ??= 'silent';

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Some tests read the real feeds and the platform dump in ../shared/fixtures, beside the project
 * (never copied into it). On a clone without them, those test files are left out, and one line
 * says which and why; everything else runs. A file reads them when it uses one of the helpers
 * that do (BPETL_SHARED_FIXTURES points the check elsewhere, to try it).
 */
const SHARED_FIXTURES = path.resolve(
  process.env.BPETL_SHARED_FIXTURES ?? path.join(import.meta.dirname, '../shared/fixtures'),
);
const READS_SHARED =
  /\b(fixtureFeed|readFixture|SNAPSHOTS|FIXTURES|FIXTURES_DIR|FEEDS|PLATFORM_DUMP|loadPlatformSchema|legacyTeams)\b/;

function testsReadingShared(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.test.ts') && READS_SHARED.test(readFileSync(file, 'utf8'))) {
        found.push(path.relative(import.meta.dirname, file));
      }
    }
  };
  walk(path.join(import.meta.dirname, 'test'));
  return found.sort();
}

const withoutShared = existsSync(SHARED_FIXTURES) ? [] : testsReadingShared();
if (withoutShared.length > 0) {
  process.stderr.write(
    `skipping ${withoutShared.length} test files that read ${SHARED_FIXTURES}, which is missing: ${withoutShared.join(', ')}\n`,
  );
}

export default defineConfig({
  resolve: {
    // One graphql instance: dependencies require() its CommonJS build, so our code must load the same one.
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...withoutShared],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/setup-file.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
