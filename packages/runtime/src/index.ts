export { Cluster, type Pod, type ServiceTarget } from './cluster.js';
export { parseManifests, readManifests, type Manifest } from './manifests.js';
export { Router, type RouteDecision, type SourceIdentity } from './router.js';
export { Runtime } from './runtime.js';
export { up, type Running, type UpOptions } from './up.js';
export { formatFinding, lint } from './lint/lint.js';
export type { Finding } from './lint/semantic.js';
export { SERVICES_DIR } from './paths.js';
