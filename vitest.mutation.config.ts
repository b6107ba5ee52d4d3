// The tests StrykerJS runs against each mutant of src/sources and src/logs (`npm run test:mutation`):
// only those that need no PostgreSQL and start no process, so no global setup.
process.env.LOG_LEVEL ??= 'silent';

import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: { graphql: 'graphql/index.js' },
  },
  test: {
    include: ['test/sources/**/*.test.ts', 'test/logs/**/*.test.ts'],
    exclude: [
      // Starts an embedded PostgreSQL to read its real log.
      'test/logs/postgres-logs.test.ts',
      // Runs `bpetl logs` as a process.
      'test/logs/special-files.test.ts',
      // 200,000 teams to measure memory: minutes per mutant under instrumentation.
      'test/sources/large-feed.test.ts',
    ],
    setupFiles: ['test/helpers/setup-file.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
