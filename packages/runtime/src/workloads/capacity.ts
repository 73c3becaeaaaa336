import { availableParallelism, totalmem } from 'node:os';
import { formatBytes, formatCores, parseQuantity } from '../api/quantity.js';

/** What the local node offers pods, as a Node's status.allocatable does: cores, bytes, and how many pods. */
export interface Capacity {
  cpu: number;
  memory: number;
  pods: number;
}

/** The kubelet's default maxPods (KubeletConfiguration). */
export const MAX_PODS = 110;

/**
 * The default: every core, half the machine's memory (the other half is the machine's own, the runtime's, and what
 * pods use beyond their requests), and the kubelet's 110 pods.
 */
export function machineCapacity(): Capacity {
  const memory = Math.floor(totalmem() / 2 / 2 ** 20) * 2 ** 20;
  return { cpu: availableParallelism(), memory, pods: MAX_PODS };
}

/**
 * `--capacity` / MESH_MALL_CAPACITY: `cpu=4,memory=8Gi,pods=50`, any of them, each over the default. Throws an Error
 * naming what is wrong.
 */
export function parseCapacity(text: string, defaults: Capacity): Capacity {
  const capacity = { ...defaults };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(cpu|memory|pods)=(.+)$/.exec(part);
    if (!match) throw new Error(`"${part}" is not cpu=QUANTITY, memory=QUANTITY or pods=COUNT`);
    const [, name, value] = match as unknown as [string, keyof Capacity, string];
    const amount = name === 'pods' ? Number(value) : parseQuantity(value);
    if (amount === undefined || !Number.isFinite(amount) || amount < 0 || (name === 'pods' && !Number.isInteger(amount))) {
      throw new Error(`${name}=${value} is not a ${name === 'pods' ? 'whole number' : 'Kubernetes quantity'}`);
    }
    capacity[name] = amount;
  }
  return capacity;
}

export function describeCapacity(capacity: Capacity): string {
  return `cpu ${formatCores(capacity.cpu)}, memory ${formatBytes(capacity.memory)}, pods ${capacity.pods}`;
}
