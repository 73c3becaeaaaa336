import { createLogger, loadConfig, main, startService } from '@mesh-mall/kit';
import { z } from 'zod';
import { buildApp } from './app.js';

main(async () => {
  const config = loadConfig(
    { SERVICE_NAME: 'echo', LATENCY_MS: 0, APP_LABEL: 'echo', ECHO_STATUS: 200 },
    { APP_LABEL: z.string().min(1), ECHO_STATUS: z.coerce.number().int().min(200).max(599) },
  );
  const logger = createLogger(config);
  const servedBy = `${config.POD_NAMESPACE}/${config.APP_LABEL}@${config.APP_VERSION}`;
  await startService({ config, logger, handler: buildApp(logger, { servedBy, status: config.ECHO_STATUS }) });
});
