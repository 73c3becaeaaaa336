/**
 * The runtime's planes, highest first (README "Layout"): a folder may import from its own plane and the planes below
 * it, never from one above, and no import cycle may form, type-only imports included.
 */
const LAYERS = ['cli', 'lint', 'control', 'workloads', 'proxy', 'telemetry', 'istio', 'k8s', 'api', 'lib'];
const SRC = '^packages/runtime/src/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'An import cycle, type-only imports included.',
      severity: 'error',
      from: { path: SRC },
      to: { circular: true },
    },
    ...LAYERS.slice(1).map((layer, index) => ({
      name: `${layer}-imports-downward-only`,
      comment: `${layer}/ may not import ${LAYERS.slice(0, index + 1).join(', ')}/ (planes above it).`,
      severity: 'error',
      from: { path: `${SRC}${layer}/` },
      to: { path: `${SRC}(${LAYERS.slice(0, index + 1).join('|')})/` },
    })),
    {
      name: 'no-package-entry-inside',
      comment: 'index.ts is the package entry for other packages; the planes import each other directly.',
      severity: 'error',
      from: { path: `${SRC}[^/]+/` },
      to: { path: `${SRC}index\\.ts$` },
    },
    {
      name: 'every-file-in-a-plane',
      comment: 'Files live in one of the plane folders; only the package entry (index.ts) sits at the root.',
      severity: 'error',
      from: { path: `${SRC}(?!index\\.ts$)[^/]+$` },
      to: {},
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'packages/runtime/tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    includeOnly: SRC,
  },
};
