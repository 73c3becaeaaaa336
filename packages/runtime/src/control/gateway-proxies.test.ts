import { describe, expect, it } from 'vitest';
import type { GatewayDeployment } from '../istio/gateway-api.js';
import type { Sidecar } from '../proxy/sidecar.js';
import { GatewayProxies } from './gateway-proxies.js';

/** Proxies that take the next of these ports and record being closed. */
function fakeProxies(ports: number[]) {
  const closed: number[] = [];
  const started: { workload: string; ports: readonly number[] }[] = [];
  const said: string[] = [];
  const proxies = new GatewayProxies(
    (source, ingress) => {
      started.push({ workload: source.workload, ports: ingress.ports });
      const port = ports.shift()!;
      return { listen: async () => port, close: async () => void closed.push(port) } as unknown as Sidecar;
    },
    (line) => said.push(line),
  );
  return { proxies, closed, started, said };
}

const mall = (ports: number[]): GatewayDeployment => ({ namespace: 'base', gateway: 'mall', workload: 'mall-istio', labels: { 'gateway.networking.k8s.io/gateway-name': 'mall' }, ports });

describe('GatewayProxies: the proxy Istio deploys for each Gateway, one local port per listener port', () => {
  it('starts one per listener port, keeps it while the Gateway keeps the port, and replaces it when the port changes', async () => {
    const { proxies, closed, started, said } = fakeProxies([41001, 41002, 41003]);
    await proxies.reconcile([mall([80])]);
    await proxies.reconcile([mall([80])]);
    expect(proxies.list().map((l) => [l.port, l.localPort])).toEqual([[80, 41001]]);
    await proxies.reconcile([mall([8080, 80])]);
    expect(proxies.list().map((l) => [l.port, l.localPort])).toEqual([
      [80, 41001],
      [8080, 41002],
    ]);
    await proxies.reconcile([mall([8080])]);
    expect(closed).toEqual([41001]);
    expect(started).toEqual([
      { workload: 'mall-istio', ports: [80] },
      { workload: 'mall-istio', ports: [8080] },
    ]);
    expect(said).toEqual([
      'Gateway base/mall (Deployment mall-istio on a cluster): its port 80 is http://localhost:41001',
      'Gateway base/mall (Deployment mall-istio on a cluster): its port 8080 is http://localhost:41002',
    ]);
  });

  it('stops every proxy of a Gateway that is gone, and all of them at the end', async () => {
    const { proxies, closed } = fakeProxies([41001, 41002, 41003]);
    await proxies.reconcile([mall([80, 8080]), { ...mall([80]), gateway: 'admin', workload: 'admin-istio' }]);
    await proxies.reconcile([mall([80, 8080])]);
    expect(closed).toEqual([41003]);
    await proxies.closeAll();
    expect(closed.sort()).toEqual([41001, 41002, 41003]);
    expect(proxies.list()).toEqual([]);
  });
});
