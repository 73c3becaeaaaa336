import { createLogger, loadConfig, main, serviceClient, startService } from '@mesh-mall/kit';
import { z } from 'zod';
import { buildApp } from './app.js';

main(async () => {
  const config = loadConfig(
    {
      SERVICE_NAME: 'recommend',
      LATENCY_MS: 40,
      PRODUCTS_URL: 'http://products.base.svc.cluster.local:7000',
      SCORES_URL: 'http://scores.base.svc.cluster.local:7000',
    },
    { PRODUCTS_URL: z.url(), SCORES_URL: z.url() },
  );
  const logger = createLogger(config);
  const app = buildApp({
    logger,
    version: config.APP_VERSION,
    products: serviceClient(config, 'products', config.PRODUCTS_URL),
    scores: serviceClient(config, 'scores', config.SCORES_URL),
  });
  await startService({ config, logger, handler: app });
});
