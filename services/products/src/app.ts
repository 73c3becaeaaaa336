import { countsByIdSchema, idsQuerySchema, parseWith, UpstreamError, type AppVersion, type Logger, type ServiceClient } from '@mesh-mall/kit';
import { fastifyApp } from '@mesh-mall/kit/fastify';
import type { FastifyInstance } from 'fastify';
import { CATALOG, type Product } from './catalog.js';

export interface ProductsDeps {
  logger: Logger;
  version: AppVersion;
  /** v2 only: where favorites counts come from. */
  favorites: ServiceClient;
}

/** What each version does (design.md "Versions"): v2 is fox's favorites counts. */
const VERSIONS: Record<AppVersion, { favorites: boolean }> = {
  v1: { favorites: false },
  v2: { favorites: true },
  v3: { favorites: false },
};

/**
 * `GET /products?ids=1,2` → the products in the order asked, unknown ids left out. v2 (fox's change) adds each
 * product's `favorites` count from one batch call; if favorites cannot answer, products still answers without them.
 */
export function buildApp({ logger, version, favorites }: ProductsDeps): Promise<FastifyInstance> {
  const behaviour = VERSIONS[version];
  return fastifyApp(logger, (app) => {
    app.get('/products', async (request) => {
      const { ids } = parseWith(idsQuerySchema, request.query);
      const products: Product[] = ids.flatMap((id) => CATALOG.get(id) ?? []);
      if (!behaviour.favorites || products.length === 0) return products;
      try {
        const counts = await favorites.call('GET', '/favorites', {
          query: { ids: products.map((p) => p.id).join(',') },
          schema: countsByIdSchema,
        });
        return products.map((p) => ({ ...p, favorites: counts[String(p.id)] }));
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        request.log.warn({ err: error.message }, 'favorites unavailable; answering without counts');
        return products;
      }
    });
  });
}
