import { createLogger, loadConfig, main, startService } from '@mesh-mall/kit';
import { fastifyHandler } from '@mesh-mall/kit/fastify';
import { z } from 'zod';
import { buildApp } from './app.js';
import { FileUserRepository } from './file-repository.js';
import { MongoConnection } from './mongo-connection.js';
import type { UserRepository } from './repository.js';

main(async () => {
  const config = loadConfig(
    { SERVICE_NAME: 'users', LATENCY_MS: 30, DATA_DIR: './data' },
    { MONGO_URL: z.string().startsWith('mongodb').optional(), DATA_DIR: z.string().min(1) },
  );
  const logger = createLogger(config);
  let users: UserRepository;
  let notReadyReason: (() => string | undefined) | undefined;
  if (config.MONGO_URL) {
    const mongo = new MongoConnection(config.MONGO_URL, logger);
    users = mongo;
    notReadyReason = () => mongo.notReadyReason();
    logger.info('storing users in MongoDB (connecting in the background)');
  } else {
    users = await FileUserRepository.open(config.DATA_DIR);
    logger.info({ dir: config.DATA_DIR }, 'no MONGO_URL: storing users in the embedded store');
  }
  const app = await buildApp(logger, users);
  await startService({ config, logger, handler: fastifyHandler(app), onClose: () => users.close(), notReadyReason });
});
