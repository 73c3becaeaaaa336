import { HttpError, parseWith, userNameSchema, type Logger } from '@mesh-mall/kit';
import { fastifyApp } from '@mesh-mall/kit/fastify';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { UserRepository } from './repository.js';

const nameQuery = z.object({ name: userNameSchema });
const createBody = z.object({ name: userNameSchema }, { error: 'body must be a JSON object {"name": "..."}' });

/**
 * `GET /users?name=` → 200 user or 404; `POST /users {name}` → 201 created or 200 when the name exists.
 */
export function buildApp(logger: Logger, users: UserRepository): Promise<FastifyInstance> {
  return fastifyApp(logger, (app) => {
    app.get('/users', async (request) => {
      const { name } = parseWith(nameQuery, request.query);
      const user = await users.findByName(name);
      if (!user) throw new HttpError(404, `no user named ${name}`);
      return user;
    });
    app.post('/users', async (request, reply) => {
      const { name } = parseWith(createBody, request.body);
      const { user, created } = await users.create(name);
      return reply.code(created ? 201 : 200).send(user);
    });
  });
}
