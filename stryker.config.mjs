// @ts-check
/**
 * Mutation testing (`npm run test:mutation`): the kit, and the runtime's routing, authorization and proxy code.
 * Incremental: Stryker keeps its results in reports/stryker-incremental.json, so a run tests only the mutants whose code
 * or covering tests changed since it was written; `npm run test:mutation -- --force` re-tests everything.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts' },
  // Each test run records which mutants it reaches: a mutant runs only the tests that cover it.
  coverageAnalysis: 'perTest',
  mutate: [
    'packages/kit/src/**/*.ts',
    'packages/runtime/src/istio/**/*.ts',
    'packages/runtime/src/proxy/**/*.ts',
    '!**/*.test.ts',
    '!**/test-fixtures.ts',
    '!packages/kit/src/test-fixtures/**',
    '!packages/runtime/src/proxy/conformance/**',
  ],
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  // Two cores: one test runner each.
  concurrency: 2,
  thresholds: { high: 90, low: 80, break: 80 },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
