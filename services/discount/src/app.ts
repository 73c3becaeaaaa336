import { productListSchema, type AppVersion, type Discount, type Logger, type ServiceClient } from '@mesh-mall/kit';
import { expressApp } from '@mesh-mall/kit/express';
import type { Express } from 'express';

export interface DiscountDeps {
  logger: Logger;
  version: AppVersion;
  products: ServiceClient;
}

/** What each version does (design.md "Versions"): v2 is fox's banner. */
const VERSIONS: Record<AppVersion, { banner: boolean }> = {
  v1: { banner: false },
  v2: { banner: true },
  v3: { banner: false },
};

export const DISCOUNT_IDS = [1, 2, 3, 4, 5, 6] as const;
export const DISCOUNT_BANNER = { title: "Fox's flash sale: swag at half price", image: '/assets/banners/discount.svg' };

/** `GET /discount` → products 1–6 from one batch call; v2 (fox's change) adds a banner. */
export function buildApp({ logger, version, products }: DiscountDeps): Express {
  return expressApp(logger, (app) => {
    app.get('/discount', async (_req, res) => {
      const list = await products.call('GET', '/products', { query: { ids: DISCOUNT_IDS.join(',') }, schema: productListSchema });
      const body: Discount = { products: list };
      if (VERSIONS[version].banner) body.banner = DISCOUNT_BANNER;
      res.json(body);
    });
  });
}
