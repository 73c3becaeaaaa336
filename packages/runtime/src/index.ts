export { launchMeshMall, runMeshMallCli, type CliResult, type LaunchedMesh } from './cli/launch.js';
export { SERVICES_DIR } from './lib/paths.js';
export { formatFinding, lint } from './lint/lint.js';
export type { Finding } from './lint/semantic.js';
export { analyzeTrace, formatAnalysis, type Analysis } from './telemetry/tracing/analyze.js';
export { decodeTraces } from './telemetry/tracing/otlp.js';
export type { JaegerSpan, JaegerTrace } from './telemetry/tracing/store.js';
