import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../support/mesh-mall.js';

const exec = promisify(execFile);

/**
 * podman with this project's containers.conf (runc, no default ulimits) and nothing from /etc changed; with the sbin
 * folders on PATH, where debootstrap lives and where netavark looks for iptables.
 */
export const PODMAN_ENV = {
  ...process.env,
  PATH: [process.env.PATH, '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean).join(':'),
  CONTAINERS_CONF: join(REPO_ROOT, 'test/images/containers.conf'),
};

export async function podman(...args: string[]): Promise<string> {
  try {
    const { stdout } = await exec('podman', args, { env: PODMAN_ENV, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`podman ${args.slice(0, 3).join(' ')}…: ${stderr?.trim() || message}`);
  }
}

/** Whether a container is still running (podman reports "running", "exited", …). */
export async function isRunning(container: string): Promise<boolean> {
  return (await podman('inspect', '--format', '{{.State.Status}}', container)) === 'running';
}

/** The host port podman published for the container's port 7000. */
export async function hostPort(container: string): Promise<number> {
  const mapping = await podman('port', container, '7000/tcp');
  return Number(mapping.split('\n')[0]!.split(':').at(-1));
}

/** The container's log lines, stdout and stderr as podman keeps them. */
export async function logLines(container: string): Promise<string[]> {
  const { stdout, stderr } = await exec('podman', ['logs', container], { env: PODMAN_ENV, maxBuffer: 64 * 1024 * 1024 });
  return `${stdout}${stderr}`.split('\n').filter((line) => line.trim() !== '');
}
