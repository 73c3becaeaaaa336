import { defineConfig } from 'vitest/config';

/**
 * The tests Stryker runs against each mutant (stryker.config.mjs): the unit tests beside the mutated code (the kit's,
 * the runtime's istio/ and proxy/), never the e2e or image tests, which start whole meshes and would turn each mutant
 * into minutes.
 */
export default defineConfig({
  test: {
    include: ['packages/kit/src/**/*.test.ts', 'packages/runtime/src/istio/**/*.test.ts', 'packages/runtime/src/proxy/**/*.test.ts'],
  },
});
