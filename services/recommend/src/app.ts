import { createHash } from 'node:crypto';
import {
  countsByIdSchema,
  currentContext,
  productListSchema,
  type AppVersion,
  type Logger,
  type Recommendation,
  type ServiceClient,
} from '@mesh-mall/kit';
import { expressApp } from '@mesh-mall/kit/express';
import type { Express } from 'express';

export interface RecommendDeps {
  logger: Logger;
  version: AppVersion;
  products: ServiceClient;
  scores: ServiceClient;
}

/** What each version does (design.md "Versions"): v2 is jason's banner; v3 adds the batched scores call. */
const VERSIONS: Record<AppVersion, { banner: boolean; scoresInOneCall: boolean }> = {
  v1: { banner: false, scoresInOneCall: false },
  v2: { banner: true, scoresInOneCall: false },
  v3: { banner: true, scoresInOneCall: true },
};

/** Recommendations come from the second half of the catalog. */
export const CANDIDATE_IDS = [7, 8, 9, 10, 11, 12, 13, 14, 15] as const;
export const RECOMMENDED_COUNT = 6;

export const RECOMMEND_BANNER = { title: "Jason's picks: new hoodies for the mesh season", image: '/assets/banners/recommend.svg' };

/**
 * `GET /recommend` → six products of ids 7–15 with their scores, best first. The six are a stable choice per
 * `end-user`, so each shopper sees "their" picks. v1/v2 ask scores once per product — the N+1 the tracing act
 * finds; v3 asks once for all. v2 and v3 add jason's banner.
 */
export function buildApp({ logger, version, products, scores }: RecommendDeps): Express {
  const behaviour = VERSIONS[version];
  return expressApp(logger, (app) => {
    app.get('/recommend', async (_req, res) => {
      const ids = pickFor(currentContext()['end-user'] ?? '');
      const list = await products.call('GET', '/products', { query: { ids: ids.join(',') }, schema: productListSchema });
      const scoreOf = behaviour.scoresInOneCall ? await scoresInOneCall(scores, ids) : await scoresOneByOne(scores, ids);
      const scored = list
        .map((product) => ({ ...product, score: scoreOf[String(product.id)] ?? 0 }))
        .sort((a, b) => b.score - a.score || a.id - b.id);
      const body: Recommendation = { products: scored };
      if (behaviour.banner) body.banner = RECOMMEND_BANNER;
      res.json(body);
    });
  });
}

/** Orders the candidates by a hash of user and id and keeps the first six. */
export function pickFor(user: string): number[] {
  const rank = (id: number) => createHash('sha1').update(`${user}:${id}`).digest().readUInt32BE(0);
  return [...CANDIDATE_IDS].sort((a, b) => rank(a) - rank(b)).slice(0, RECOMMENDED_COUNT);
}

async function scoresOneByOne(scores: ServiceClient, ids: number[]): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const id of ids) {
    Object.assign(result, await scores.call('GET', '/scores', { query: { ids: String(id) }, schema: countsByIdSchema }));
  }
  return result;
}

function scoresInOneCall(scores: ServiceClient, ids: number[]): Promise<Record<string, number>> {
  return scores.call('GET', '/scores', { query: { ids: ids.join(',') }, schema: countsByIdSchema });
}
