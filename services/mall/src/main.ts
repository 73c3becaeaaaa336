import { createLogger, loadConfig, main, serviceClient, startService } from '@mesh-mall/kit';
import { z } from 'zod';
import { buildApp } from './app.js';

main(async () => {
  const config = loadConfig(
    {
      SERVICE_NAME: 'mall',
      LATENCY_MS: 10,
      USERS_URL: 'http://users.base.svc.cluster.local:7000',
      RECOMMEND_URL: 'http://recommend.base.svc.cluster.local:7000',
      DISCOUNT_URL: 'http://discount.base.svc.cluster.local:7000',
    },
    { USERS_URL: z.url(), RECOMMEND_URL: z.url(), DISCOUNT_URL: z.url() },
  );
  const logger = createLogger(config);
  const app = buildApp({
    logger,
    version: config.APP_VERSION,
    users: serviceClient(config, 'users', config.USERS_URL),
    recommend: serviceClient(config, 'recommend', config.RECOMMEND_URL),
    discount: serviceClient(config, 'discount', config.DISCOUNT_URL),
  });
  await startService({ config, logger, handler: app });
});
