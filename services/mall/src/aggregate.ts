import {
  currentContext,
  currentTraceId,
  discountSchema,
  recommendSchema,
  UpstreamError,
  userSchema,
  type AppVersion,
  type Discount,
  type Logger,
  type Recommendation,
  type ServiceClient,
  type User,
} from '@mesh-mall/kit';

export interface MallDeps {
  logger: Logger;
  version: AppVersion;
  users: ServiceClient;
  recommend: ServiceClient;
  discount: ServiceClient;
  /** Base URL of a trace viewer with Jaeger's /trace/<id> pages. */
  traceUiUrl?: string | undefined;
}

export type Section = 'user' | 'recommend' | 'discount';

/** What each version does (design.md "Versions"): v1 calls its three services one after another, v2 all at once. */
const VERSIONS: Record<AppVersion, { fanOut: 'serial' | 'parallel' }> = {
  v1: { fanOut: 'serial' },
  v2: { fanOut: 'parallel' },
  v3: { fanOut: 'parallel' },
};

/** `GET /api/mall`: what the page shows. A section whose service failed is null and named in `meta.unavailable`. */
export interface MallView {
  user: User | null;
  recommend: Recommendation | null;
  discount: Discount | null;
  meta: { version: string; traceId: string | undefined; traceUrl: string | undefined; requestId: string | undefined; unavailable: Section[] };
}

/**
 * Asks users, recommend and discount for one page. v1 asks one after another (latency = sum, the talk's first
 * tracing finding); v2 asks all three at once (latency = max). A guest (no name) costs no users call.
 */
export async function loadMall(deps: MallDeps, name: string | undefined): Promise<MallView> {
  const unavailable: Section[] = [];
  const guarded = async <T>(section: Section, call: () => Promise<T>): Promise<T | null> => {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      deps.logger.warn({ section, err: error.message }, 'section unavailable');
      unavailable.push(section);
      return null;
    }
  };
  const calls = [
    () => guarded('user', () => (name ? findUser(deps.users, name) : Promise.resolve(null))),
    () => guarded('recommend', () => deps.recommend.call('GET', '/recommend', { schema: recommendSchema })),
    () => guarded('discount', () => deps.discount.call('GET', '/discount', { schema: discountSchema })),
  ] as const;
  let results: [User | null, Recommendation | null, Discount | null];
  if (VERSIONS[deps.version].fanOut === 'serial') {
    results = [await calls[0](), await calls[1](), await calls[2]()];
  } else {
    results = await Promise.all([calls[0](), calls[1](), calls[2]()]);
  }
  const [user, recommend, discount] = results;
  const traceId = currentTraceId();
  return {
    user,
    recommend,
    discount,
    meta: {
      version: deps.version,
      traceId,
      traceUrl: traceId && deps.traceUiUrl ? `${deps.traceUiUrl.replace(/\/$/, '')}/trace/${traceId}` : undefined,
      requestId: currentContext()['x-request-id'],
      unavailable,
    },
  };
}

/** users answers 404 for a name it does not know: that is a guest, not an error. */
async function findUser(users: ServiceClient, name: string): Promise<User | null> {
  const { status, body } = await users.send('GET', '/users', { query: { name }, schema: userSchema });
  if (status === 404) return null;
  if (status !== 200) throw new UpstreamError('users', 'status', `answered ${status}`, status);
  return body;
}
