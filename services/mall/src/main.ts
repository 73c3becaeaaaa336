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
      // Per-call budgets: past them a section is shown unavailable instead of failing the page.
      USERS_TIMEOUT_MS: 1000,
      RECOMMEND_TIMEOUT_MS: 1500,
      DISCOUNT_TIMEOUT_MS: 1000,
    },
    {
      USERS_URL: z.url(),
      RECOMMEND_URL: z.url(),
      DISCOUNT_URL: z.url(),
      USERS_TIMEOUT_MS: z.coerce.number().int().min(1),
      RECOMMEND_TIMEOUT_MS: z.coerce.number().int().min(1),
      DISCOUNT_TIMEOUT_MS: z.coerce.number().int().min(1),
      /** Where the footer's trace id links: Jaeger's UI on a cluster, the runtime's viewer locally. */
      TRACE_UI_URL: z.url().optional(),
    },
  );
  const logger = createLogger(config);
  const app = buildApp({
    logger,
    version: config.APP_VERSION,
    users: serviceClient(config, 'users', config.USERS_URL, config.USERS_TIMEOUT_MS),
    recommend: serviceClient(config, 'recommend', config.RECOMMEND_URL, config.RECOMMEND_TIMEOUT_MS),
    discount: serviceClient(config, 'discount', config.DISCOUNT_URL, config.DISCOUNT_TIMEOUT_MS),
    traceUiUrl: config.TRACE_UI_URL,
  });
  await startService({ config, logger, handler: app });
});
