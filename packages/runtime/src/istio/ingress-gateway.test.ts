import { describe, expect, it } from 'vitest';
import { INGRESS_GATEWAY } from './ingress-gateway.js';

describe('the local ingress gateway', () => {
  it('is istio-ingressgateway of istio-system to the mesh, selected by its labels, on port 80', () => {
    expect(INGRESS_GATEWAY).toEqual({
      source: {
        namespace: 'istio-system',
        workload: 'istio-ingressgateway',
        labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
        serviceAccount: 'istio-ingressgateway-service-account',
      },
      ingress: { labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' }, ports: [80] },
    });
  });
});
