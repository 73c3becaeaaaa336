import * as appsV1 from 'kubernetes-models/apps/v1';
import * as coreV1 from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_KINDS, unknownKind } from './api-resources.js';

const kindsOf = (models: Record<string, unknown>) =>
  Object.values(models)
    .flatMap((model) => {
      const kind = (model as { kind?: unknown } | undefined)?.kind;
      return typeof kind === 'string' ? [kind] : [];
    })
    .sort();

describe('the kinds the API server serves', () => {
  it('are exactly those of the official models for v1 and apps/v1', () => {
    expect([...BUILT_IN_KINDS.v1!].sort()).toEqual(kindsOf(coreV1));
    expect([...BUILT_IN_KINDS['apps/v1']!].sort()).toEqual(kindsOf(appsV1));
  });

  it('refuse any other kind there, and know nothing of other groups', () => {
    expect(unknownKind('v1', 'Widget')).toBe('no matches for kind "Widget" in version "v1"');
    expect(unknownKind('apps/v1', 'Service')).toBe('no matches for kind "Service" in version "apps/v1"');
    expect(unknownKind('v1', 'ConfigMap')).toBeUndefined();
    expect(unknownKind('cert-manager.io/v1', 'Certificate')).toBeUndefined();
  });
});
