import { createLogger, loadConfig, main, serviceClient, startService } from '@mesh-mall/kit';
import { z } from 'zod';
import { buildApp } from './app.js';

main(async () => {
  const config = loadConfig(
    { SERVICE_NAME: 'discount', LATENCY_MS: 30, PRODUCTS_URL: 'http://products.base.svc.cluster.local:7000' },
    { PRODUCTS_URL: z.url() },
  );
  const logger = createLogger(config);
  const app = buildApp({ logger, version: config.APP_VERSION, products: serviceClient(config, 'products', config.PRODUCTS_URL) });
  await startService({ config, logger, handler: app });
});
