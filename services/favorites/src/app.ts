import { idsQuerySchema, parseWith, type Logger } from '@mesh-mall/kit';
import { fastifyApp } from '@mesh-mall/kit/fastify';
import type { FastifyInstance } from 'fastify';
import { FAVORITES } from './favorites.js';

/** `GET /favorites?ids=1,2` → `{"1":90,"2":43}`; unknown ids are left out. */
export function buildApp(logger: Logger): Promise<FastifyInstance> {
  return fastifyApp(logger, (app) => {
    app.get('/favorites', async (request) => {
      const { ids } = parseWith(idsQuerySchema, request.query);
      return Object.fromEntries(ids.filter((id) => id in FAVORITES).map((id) => [String(id), FAVORITES[id]]));
    });
  });
}
