import { describe, expect, it } from 'vitest';
import { packageForImage, serviceOfImage } from './images.js';
import { SERVICES_DIR } from '../lib/paths.js';

describe('images', () => {
  it.each([
    ['mesh-mall/recommend:v1', 'recommend'],
    ['ghcr.io/acme/mesh-mall/users:1.4.0', 'users'],
    ['localhost:5000/mesh-mall/mall', 'mall'],
    ['mongo:8.0.12', undefined],
    ['jaegertracing/jaeger:2.5.0', undefined],
  ])('%s → %s', (image, service) => {
    expect(serviceOfImage(image)).toBe(service);
  });

  it('maps our images to the package that runs them, and unknown services to none', () => {
    expect(packageForImage('mesh-mall/scores:v1', SERVICES_DIR)).toMatchObject({ service: 'scores', entry: expect.stringMatching(/services\/scores\/dist\/main.js$/) });
    expect(packageForImage('mesh-mall/nope:v1', SERVICES_DIR)).toBeUndefined();
  });
});
