import { createServer, type Server } from 'node:http';
import type { Runtime } from './runtime.js';

/**
 * The runtime's local control API, what kubectl's API server is to a cluster: read-only for now.
 * `GET /pods` lists every pod with its process, ports and readiness.
 */
export async function startControl(runtime: Runtime, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/pods') {
      const pods = runtime.pods().map(({ pod, pid, restarts, sidecarPort }) => ({
        namespace: pod.namespace,
        name: pod.name,
        workload: pod.workload,
        labels: pod.labels,
        ready: pod.ready,
        port: pod.port,
        sidecarPort,
        pid,
        restarts,
      }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ pods }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'Not Found', message: `no ${req.method} ${req.url}` }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  return { server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}` };
}
