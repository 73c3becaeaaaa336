import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // `npm test` measures the unit project's coverage of the sources (src of packages/ and services/) and fails below
    // the thresholds. The e2e project runs built code in child processes, which v8 coverage here does not see.
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts', 'services/*/src/**/*.ts'],
      exclude: ['**/*.test.ts', '**/test-fixtures.ts', '**/test-fixtures/**', 'packages/runtime/src/proxy/conformance/**'],
      reporter: ['text-summary'],
      thresholds: { lines: 85, branches: 75 },
    },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts'],
          exclude: ['services/users/src/mongo-server.test.ts'],
        },
      },
      {
        // `npm run test:mongo`: users' repository against the MongoDB server at MONGO_URL (none can be had on CI).
        test: {
          name: 'mongo',
          include: ['services/users/src/mongo-server.test.ts'],
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          exclude: ['test/images/**'],
          // Each file runs a whole mesh (a runtime and a dozen processes): one at a time on a 2-core machine, so
          // that the latency budgets the tests rely on are not eaten by another file's mesh.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        // `npm run test:images` (podman; run by .ci/run after npm test): images built and run as install/ runs them.
        test: {
          name: 'images',
          include: ['test/images/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 900_000,
        },
      },
    ],
  },
});
