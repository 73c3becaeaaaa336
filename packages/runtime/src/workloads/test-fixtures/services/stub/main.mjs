// A stand-in service for the runtime's unit tests, run by PodProcess as a service package's entry is. It listens on
// PORT/HOST, tells the runtime its port over IPC as the kit does, answers /readyz, and stops on SIGTERM. Its
// environment makes it misbehave: STUB_EXIT_AT_START=<code> exits before listening (with STUB_EXIT_AT_START_FILE, only
// once that file exists), STUB_READY=never is never ready, STUB_READY=refused closes its listener once it has told its
// port, STUB_IGNORE_SIGTERM=1 ignores SIGTERM. GET /exit?code=N exits with N after answering; GET /oom dies as V8
// does when the heap reaches its limit; GET /env answers the environment it was given.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';

const { STUB_EXIT_AT_START, STUB_EXIT_AT_START_FILE } = process.env;
if (STUB_EXIT_AT_START && (!STUB_EXIT_AT_START_FILE || existsSync(STUB_EXIT_AT_START_FILE))) process.exit(Number(STUB_EXIT_AT_START));

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://stub');
  const answer = (status, body) => res.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(body));
  if (url.pathname === '/readyz') return answer(process.env.STUB_READY === 'never' ? 503 : 200, {});
  if (url.pathname === '/env') return answer(200, process.env);
  if (url.pathname === '/exit') return res.writeHead(200, { connection: 'close' }).end('bye', () => process.exit(Number(url.searchParams.get('code'))));
  if (url.pathname === '/oom') {
    process.stderr.write('FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n', () => process.exit(134));
    return;
  }
  answer(200, { pod: process.env.POD_NAME ?? null, version: process.env.APP_VERSION ?? null });
});

// As the services drain: no new connections, the requests under way answered (each answer closes its connection).
process.on('SIGTERM', () => {
  if (process.env.STUB_IGNORE_SIGTERM === '1') return;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
// Started by the runtime: when it goes, so does the pod.
process.on('disconnect', () => process.exit(0));

server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  process.send?.({ type: 'listening', port: server.address().port });
  if (process.env.STUB_READY === 'refused') server.close();
});
