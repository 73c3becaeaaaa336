import { describe, expect, it } from 'vitest';
import type { ServiceTarget } from '../k8s/service-registry.js';
import { localizeEnv } from './localize-env.js';

const mongodb: ServiceTarget = {
  service: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'mongodb', namespace: 'base' }, spec: { selector: { app: 'mongodb' }, ports: [{ port: 27017 }] } },
  namespace: 'base',
  fqdn: 'mongodb.base.svc.cluster.local',
};
const resolved: string[] = [];
const options = {
  resolveHost: (host: string) => {
    resolved.push(host);
    return host.startsWith('mongodb.base.svc.cluster.local') ? mongodb : undefined;
  },
  notRunLocally: (target: ServiceTarget) => target === mongodb,
};
// users' env as the kubelet makes it from install/base_apps.yaml: the Secret's values and MONGO_URL expanded from them.
const usersEnv = {
  MONGO_USERNAME: 'root',
  MONGO_PASSWORD: 'mesh-mall-demo-only',
  MONGO_URL: 'mongodb://root:mesh-mall-demo-only@mongodb.base.svc.cluster.local:27017/mesh-mall?authSource=admin',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger-collector.observability.svc.cluster.local:4318',
};

describe('localizeEnv', () => {
  it('drops a URL with credentials that points at a Service not run locally, and keeps the rest', () => {
    resolved.length = 0;
    expect(localizeEnv(usersEnv, options)).toEqual({
      env: {
        MONGO_USERNAME: 'root',
        MONGO_PASSWORD: 'mesh-mall-demo-only',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger-collector.observability.svc.cluster.local:4318',
      },
      notes: ['MONGO_URL points at mongodb.base.svc.cluster.local, which is not run locally; leaving it unset'],
    });
    // The host is read past `user:password@`: the credentials are never taken for a host.
    expect(resolved).toEqual(['mongodb.base.svc.cluster.local:27017', 'jaeger-collector.observability.svc.cluster.local:4318']);
  });

  it('gives MONGO_URL the MongoDB of the user (--mongo-url, MESH_MALL_MONGO_URL) instead', () => {
    expect(localizeEnv(usersEnv, { ...options, mongoUrl: 'mongodb://127.0.0.1:27017/mine' })).toEqual({
      env: { ...usersEnv, MONGO_URL: 'mongodb://127.0.0.1:27017/mine' },
      notes: [],
    });
  });
});
