import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { expressApp } from './express.js';
import { fastifyApp, fastifyHandler } from './fastify.js';
import { ServiceClient } from './http-client.js';
import { startService, type RequestHandler } from './server.js';
import { silentLogger as logger, startStub, testConfig } from './testing.js';

/**
 * A body that arrives after its headers (a slow client, a large body) is read in events outside the request's async
 * context: the frameworks re-enter the context after reading it, so the calls made while handling it still carry the
 * request's headers.
 */

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const apps: Record<string, (client: ServiceClient) => Promise<RequestHandler>> = {
  express: async (client) => expressApp(logger, (app) => app.post('/login', async (_req, res) => void res.json(await client.call('GET', '/users', { schema: z.unknown() })))),
  fastify: async (client) => fastifyHandler(await fastifyApp(logger, (app) => void app.post('/login', () => client.call('GET', '/users', { schema: z.unknown() })))),
};

for (const [framework, make] of Object.entries(apps)) {
  describe(`a ${framework} service`, () => {
    it('keeps the request’s headers for its calls when the body arrives after the headers', async () => {
      const downstream = await startStub(() => ({ body: {} }));
      cleanups.push(downstream.close);
      const client = new ServiceClient('users', { baseUrl: downstream.url, timeoutMs: 2_000 });
      const running = await startService({ config: testConfig(), logger, handler: await make(client), handleSignals: false });
      cleanups.push(() => running.shutdown('test'));

      const socket = connect(running.port, '127.0.0.1');
      cleanups.push(async () => void socket.destroy());
      await once(socket, 'connect');
      const body = '{"name":"jason"}';
      const headersArrived = once(running.server, 'request');
      socket.write(`POST /login HTTP/1.1\r\nhost: mall\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nend-user: jason\r\nx-request-id: slow-body\r\n\r\n`);
      // The rest of the request only once the service is handling it.
      await headersArrived;
      socket.write(body);
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk));
      await new Promise<void>((resolve) => socket.on('data', () => answer.includes('\r\n\r\n{}') && resolve()));
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(downstream.requests[0]!.headers).toMatchObject({ 'end-user': 'jason', 'x-request-id': 'slow-body' });
    });
  });
}
