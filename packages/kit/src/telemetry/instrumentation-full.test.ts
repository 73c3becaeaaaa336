import { describe, expect, it } from 'vitest';
import { tracedService } from '../test-fixtures/traced-service.js';

describe('what a service traces at TRACE_DETAIL=full', () => {
  it('adds the HTTP client’s own spans to the call spans', async () => {
    const { exported, downstream } = await tracedService({ TRACE_DETAIL: 'full' });
    expect(exported).toContain('stub GET /downstream');
    expect(exported).toContain('@opentelemetry/instrumentation-undici');
    expect(exported).toContain('http://127.0.0.1');
    expect(downstream.traceparent).toMatch(/^00-[\da-f]{32}-[\da-f]{16}-01$/);
  });
});
