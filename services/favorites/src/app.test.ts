import { silentLogger } from '@mesh-mall/kit/testing';
import { describe, expect, it } from 'vitest';
import { buildApp } from './app.js';

describe('favorites API', () => {
  it('answers the catalog favorites counts of the ids asked', async () => {
    const response = await (await buildApp(silentLogger)).inject('/favorites?ids=1,2,15');
    expect(response.json()).toEqual({ '1': 90, '2': 43, '15': 9 });
  });

  it('refuses ids that are not a list of numbers', async () => {
    const response = await (await buildApp(silentLogger)).inject('/favorites?ids=1;drop');
    expect(response.statusCode).toBe(400);
  });
});
