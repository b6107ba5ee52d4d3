// Quiet the logger in the main process too (global setup); a test that needs logs sets LOG_LEVEL itself.
process.env.LOG_LEVEL ??= 'silent';

import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // One graphql instance: dependencies require() its CommonJS build, so our code must load the same one.
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/setup-file.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
