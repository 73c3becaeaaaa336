import { chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

/** The parts of an install/ Deployment the harness reads (the manifest as YAML gives it). */
export interface Workload {
  metadata: { name: string; namespace: string };
  spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
}
interface PodSpec {
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsUser?: number; runAsGroup?: number; runAsNonRoot?: boolean };
  containers: Container[];
  volumes?: { name: string; emptyDir?: object }[];
}
export interface Container {
  name: string;
  image: string;
  env?: unknown[];
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { limits?: { memory?: string; cpu?: string } };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodRun {
  /** `podman run` arguments up to (not including) the image. */
  args: string[];
  graceSeconds: number;
  preStop: string[] | undefined;
  readinessPath: string;
  livenessPath: string;
  /** emptyDir mount path → the host folder standing in for it. */
  emptyDirs: Map<string, string>;
}

/** Kubernetes quantities as podman takes them: memory in bytes, CPU in cores. */
export function memoryBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new Error(`memory quantity ${quantity} is not one the harness reads`);
  return Number(match[1]) * { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, '': 1 }[match[2] ?? '']!;
}
export function cpuCores(quantity: string): number {
  return quantity.endsWith('m') ? Number(quantity.slice(0, -1)) / 1000 : Number(quantity);
}

/**
 * What the kubelet would make of the workload's pod template, as `podman run` options: the pod's user and group, a
 * read-only root, capabilities dropped, no privilege escalation, the memory and CPU limits, each emptyDir as a fresh
 * world-writable folder (as the kubelet makes them), the resolved environment, and port 7000 published on loopback.
 */
export async function podRun(workload: Workload, env: Record<string, string>, options: { name: string; stateDir: string }): Promise<PodRun> {
  const pod = workload.spec.template.spec;
  const container = pod.containers[0]!;
  const args = ['--name', options.name, '--hostname', options.name, '--publish', '127.0.0.1::7000'];
  const user = pod.securityContext?.runAsUser;
  if (user !== undefined) args.push('--user', `${user}:${pod.securityContext?.runAsGroup ?? user}`);
  const security = container.securityContext ?? {};
  if (security.readOnlyRootFilesystem) args.push('--read-only', '--read-only-tmpfs=false');
  if (security.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  for (const capability of security.capabilities?.drop ?? []) args.push('--cap-drop', capability);
  const limits = container.resources?.limits ?? {};
  if (limits.memory) args.push('--memory', String(memoryBytes(limits.memory)));
  if (limits.cpu) args.push('--cpus', String(cpuCores(limits.cpu)));
  const emptyDirs = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    if (!volume?.emptyDir) throw new Error(`${workload.metadata.name}: volume ${mount.name} is not an emptyDir`);
    const folder = join(options.stateDir, options.name, mount.name);
    await mkdir(folder, { recursive: true });
    await chmod(folder, 0o777);
    emptyDirs.set(mount.mountPath, folder);
    args.push('--volume', `${folder}:${mount.mountPath}`);
  }
  for (const [name, value] of Object.entries(env)) args.push('--env', `${name}=${value}`);
  return {
    args,
    graceSeconds: pod.terminationGracePeriodSeconds ?? 30,
    preStop: container.lifecycle?.preStop?.exec?.command,
    readinessPath: container.readinessProbe?.httpGet?.path ?? '/readyz',
    livenessPath: container.livenessProbe?.httpGet?.path ?? '/healthz',
    emptyDirs,
  };
}
