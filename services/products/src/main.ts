import { createLogger, loadConfig, main, serviceClient, startService } from '@mesh-mall/kit';
import { fastifyHandler } from '@mesh-mall/kit/fastify';
import { z } from 'zod';
import { buildApp } from './app.js';

main(async () => {
  const config = loadConfig(
    { SERVICE_NAME: 'products', LATENCY_MS: 20, FAVORITES_URL: 'http://favorites.fox.svc.cluster.local:7000' },
    { FAVORITES_URL: z.url() },
  );
  const logger = createLogger(config);
  const favorites = serviceClient(config, 'favorites', config.FAVORITES_URL);
  const app = await buildApp({ logger, version: config.APP_VERSION, favorites });
  await startService({ config, logger, handler: fastifyHandler(app) });
});
