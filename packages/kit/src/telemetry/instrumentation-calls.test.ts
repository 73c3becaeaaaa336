import { describe, expect, it } from 'vitest';
import { tracedService } from '../test-fixtures/traced-service.js';

describe('what a service traces at TRACE_DETAIL=calls (the default)', () => {
  it('each request’s server span and each call’s span, no probe and no HTTP-client span', async () => {
    const { exported, downstream } = await tracedService({});
    expect(exported).toContain('/things/7');
    expect(exported).toContain('stub GET /downstream');
    expect(exported).toContain('@opentelemetry/instrumentation-http');
    for (const absent of ['/healthz', '/readyz', '@opentelemetry/instrumentation-undici']) expect(exported).not.toContain(absent);
    // The call span carries the context itself, in W3C and B3.
    expect(downstream).toMatchObject({ traceparent: expect.stringMatching(/^00-[\da-f]{32}-[\da-f]{16}-01$/), 'x-b3-sampled': '1' });
  });
});
