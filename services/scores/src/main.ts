import { createLogger, loadConfig, main, startService } from '@mesh-mall/kit';
import { fastifyHandler } from '@mesh-mall/kit/fastify';
import { buildApp } from './app.js';

main(async () => {
  const config = loadConfig({ SERVICE_NAME: 'scores', LATENCY_MS: 10 });
  const logger = createLogger(config);
  const app = await buildApp(logger);
  await startService({ config, logger, handler: fastifyHandler(app) });
});
