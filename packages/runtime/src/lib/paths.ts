import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository this runtime lives in: packages/runtime/dist/lib/paths.js → the root four levels up. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const SERVICES_DIR = join(REPO_ROOT, 'services');
export const DEFAULT_STATE_DIR = join(REPO_ROOT, '.mesh-mall');
/** The base act: what `npm start` brings up. */
export const BASE_ACT = [join(REPO_ROOT, 'install/base_apps.yaml'), join(REPO_ROOT, 'istio/base-routing.yaml')];
/** V8's compile cache for pods, shared by every runtime of this checkout (node_modules/.cache, as tools do). */
export const COMPILE_CACHE_DIR = join(REPO_ROOT, 'node_modules/.cache/mesh-mall/compile');
