import { idsQuerySchema, parseWith, type Logger } from '@mesh-mall/kit';
import { fastifyApp } from '@mesh-mall/kit/fastify';
import type { FastifyInstance } from 'fastify';
import { SCORES } from './scores.js';

/** `GET /scores?ids=7,8` → `{"7":98,"8":93}`; unknown ids are left out. */
export function buildApp(logger: Logger): Promise<FastifyInstance> {
  return fastifyApp(logger, (app) => {
    app.get('/scores', async (request) => {
      const { ids } = parseWith(idsQuerySchema, request.query);
      return Object.fromEntries(ids.filter((id) => id in SCORES).map((id) => [String(id), SCORES[id]]));
    });
  });
}
