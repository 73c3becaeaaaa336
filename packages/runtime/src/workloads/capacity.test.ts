import { describe, expect, it } from 'vitest';
import { MAX_PODS, parseCapacity, type Capacity } from './capacity.js';

const machine: Capacity = { cpu: 8, memory: 16 * 2 ** 30, pods: MAX_PODS };

describe('--capacity', () => {
  it('overrides what it names and keeps the rest', () => {
    expect(parseCapacity('memory=2Gi', machine)).toEqual({ cpu: 8, memory: 2 * 2 ** 30, pods: 110 });
    expect(parseCapacity('cpu=1500m, pods=12', machine)).toEqual({ cpu: 1.5, memory: 16 * 2 ** 30, pods: 12 });
    expect(parseCapacity('', machine)).toEqual(machine);
  });

  it('names what it cannot read', () => {
    expect(() => parseCapacity('disk=1Gi', machine)).toThrow('"disk=1Gi" is not cpu=QUANTITY, memory=QUANTITY or pods=COUNT');
    expect(() => parseCapacity('memory=lots', machine)).toThrow('memory=lots is not a Kubernetes quantity');
    expect(() => parseCapacity('pods=1.5', machine)).toThrow('pods=1.5 is not a whole number');
  });
});
