/**
 * A kit service in a process of its own, for the tests that signal it (server-sigterm.test.ts): the kit's server with
 * its SIGTERM handling on, configured from the environment as every service is. Run by node straight from the
 * sources: `node --experimental-transform-types service.ts` (see forkService in sigterm-child.ts).
 *
 * GET /hello answers at once. GET /slow sends its first line at once and the rest when the parent sends `release`
 * over IPC, so a test holds a request in flight for as long as it needs, without timers. The child tells its parent
 * (IPC) when the kit closes the listener, the one moment of a stop a test cannot see from outside without polling.
 * HANG_ON_CLOSE=1 makes the service's clean-up never end, to reach the exit deadline.
 */
import { registerHooks } from 'node:module';
import type { ServerResponse } from 'node:http';

// The sources import each other as `./x.js`, as the build emits them; here they are `.ts` files.
registerHooks({
  resolve(specifier, context, nextResolve) {
    try {
      return nextResolve(specifier, context);
    } catch (error) {
      if (!specifier.startsWith('.') || !specifier.endsWith('.js')) throw error;
      return nextResolve(`${specifier.slice(0, -3)}.ts`, context);
    }
  },
});

const { loadConfig } = await import('../config.js');
const { createLogger } = await import('../logger.js');
const { startService } = await import('../server.js');

const config = loadConfig({ SERVICE_NAME: 'sigterm-fixture', LATENCY_MS: 0, PORT: 0, HOST: '127.0.0.1' });
const logger = createLogger(config);
const held: ServerResponse[] = [];
process.on('message', (message) => {
  if (message === 'release') for (const res of held.splice(0)) res.end('second half\n');
});

const running = await startService({
  config,
  logger,
  handler: (req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    if (req.url === '/slow') {
      res.write('first half\n');
      held.push(res);
    } else res.end('hello\n');
  },
  onClose: () => (process.env.HANG_ON_CLOSE === '1' ? new Promise<void>(() => {}) : Promise.resolve()),
});

const close = running.server.close.bind(running.server);
running.server.close = (callback?: (error?: Error) => void) => {
  close(callback);
  // Not when the stop began because the parent went away.
  if (process.connected) process.send!({ type: 'listener-closed' });
  return running.server;
};
