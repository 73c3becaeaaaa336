import { silentLogger } from '@mesh-mall/kit/testing';
import { describe, expect, it } from 'vitest';
import { buildApp } from './app.js';

describe('scores API', () => {
  it('answers the catalog scores of the ids asked, unknown ids left out', async () => {
    const app = await buildApp(silentLogger);
    const response = await app.inject('/scores?ids=7,8,99');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ '7': 98, '8': 93 });
  });

  it.each(['/scores', '/scores?ids=', '/scores?ids=abc', '/scores?ids=1,,2', '/scores?ids=-1', '/scores?ids=1&ids=2'])(
    '%s → 400 with a JSON message',
    async (url) => {
      const response = await (await buildApp(silentLogger)).inject(url);
      expect(response.statusCode).toBe(400);
      expect(response.json().message).toMatch(/ids/);
    },
  );

  it('refuses more than 100 ids', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => i + 1).join(',');
    expect((await (await buildApp(silentLogger)).inject(`/scores?ids=${ids}`)).statusCode).toBe(400);
  });
});
