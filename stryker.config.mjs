// Mutation testing of the pure layers (docs/TESTING.md): `npm run test:mutation`. Slow; not in CI.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: ['src/sources/**/*.ts', 'src/logs/**/*.ts'],
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants such as the rule catalogue) re-run every test: 17 % of the
  // mutants for 75 % of the time. Skipped; see docs/TESTING.md.
  ignoreStatic: true,
  // The machine is shared: two mutants at a time.
  concurrency: 2,
  timeoutMS: 30_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 80, low: 70, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
