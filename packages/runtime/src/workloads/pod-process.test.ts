import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { Pod } from '../k8s/identity.js';
import { PodProcess, type PodProcessOptions } from './pod-process.js';
import { StartSlots } from './start-slots.js';
import { STUB, stubEnv } from './test-fixtures.js';

const stateDir = mkdtempSync(join(tmpdir(), 'pod-process-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

const started: PodProcess[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(started.splice(0).map((p) => p.stop()));
});

let count = 0;

/** A PodProcess of the stub service (test-fixtures/services/stub), with what it reports and how often it was ready again. */
function stubPod(env: Record<string, string> = {}, options: Partial<PodProcessOptions> = {}) {
  const name = `stub-${++count}`;
  const pod: Pod = { name, namespace: 'ns', workload: 'stub', labels: { app: 'stub' }, serviceAccount: 'default', ready: false };
  const reports: string[] = [];
  const events = { readyAgain: 0 };
  const logFile = join(stateDir, 'logs', 'ns', `${name}.log`);
  const process = new PodProcess({
    pod,
    entry: STUB.entry,
    cwd: STUB.directory,
    env: stubEnv(env),
    readinessPath: '/readyz',
    graceMs: 30_000,
    logFile,
    slots: new StartSlots(4),
    readyAgain: () => events.readyAgain++,
    report: (message) => reports.push(message),
    ...options,
  });
  started.push(process);
  return { pod, process, reports, events, logFile };
}

/** A GET to the pod itself (node:http: no timers of its own, so it works under fake timers too). */
function get(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    })
      .on('error', reject)
      .end();
  });
}

/** The real setTimeout, whatever the test fakes later. */
const realSetTimeout = globalThis.setTimeout;

/**
 * Resolves once `check` passes, looking every 10 ms of real time (vi.waitFor would advance the fake clock as it
 * looks, and the back-off tests count that clock to the millisecond).
 */
async function until(check: () => void, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (performance.now() > deadline) throw error;
    }
    await new Promise((resolve) => realSetTimeout(resolve, 10));
  }
}

/** Whether a process of this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Makes the pod's process exit with `code` (it answers first), and waits until the pod has left the endpoints. */
async function crash(pod: Pod, code: number): Promise<void> {
  await get(pod.port!, `/exit?code=${code}`);
  await until(() => expect(pod.port).toBeUndefined());
}

// Each test starts real processes (one to four starts): generous on a loaded 2-core machine.
describe('PodProcess', { timeout: 20_000 }, () => {
  it('is ready once its readiness probe answers, and stops on SIGTERM, once however often asked', async () => {
    const { pod, process, reports } = stubPod();
    expect(process.state).toBe('ContainerCreating');
    expect(process.pid).toBeUndefined();
    await process.start();
    expect(pod.ready).toBe(true);
    expect(await get(pod.port!, '/')).toBe(200);
    expect(process.state).toBe('Running');
    expect(process.restartCount).toBe(0);
    expect(process.lastTermination).toBeUndefined();
    expect(process.readyAt).toBeGreaterThanOrEqual(process.startedAt!);
    const pid = process.pid!;
    expect(alive(pid)).toBe(true);

    const stopping = process.stop();
    expect(process.stop()).toBe(stopping);
    expect(process.state).toBe('Terminating');
    expect(pod.ready).toBe(false);
    await stopping;
    expect(alive(pid)).toBe(false);
    expect(reports).toEqual([]);
  });

  it('gives the process the environment it was given, its heap bounded by limits.memory', async () => {
    const { pod, process } = stubPod({ APP_VERSION: 'v2' }, { memoryLimit: 64 * 2 ** 20 });
    await process.start();
    const env = await new Promise<Record<string, string>>((resolve, reject) => {
      request({ host: '127.0.0.1', port: pod.port!, path: '/env' }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body) as Record<string, string>));
      })
        .on('error', reject)
        .end();
    });
    expect(env.APP_VERSION).toBe('v2');
    expect(env.PORT).toBe('0');
    expect(readFileSync(`/proc/${process.pid}/cmdline`, 'utf8').split('\0')).toEqual(
      expect.arrayContaining(['--max-semi-space-size=2', '--max-old-space-size=64', '--import', '@mesh-mall/kit/telemetry']),
    );
  });

  it('fails its start when the process exits before listening, naming the exit code and the log', async () => {
    const { pod, process, reports, logFile } = stubPod({ STUB_EXIT_AT_START: '3' });
    await expect(process.start()).rejects.toThrow(`ns/${pod.name} exited with code 3 before listening (see ${logFile})`);
    // As PodFactory does with a failed start: no restart after this.
    await process.stop();
    expect(reports).toEqual([`ns/${pod.name} exited (Error, exit code 3); restart 1`]);
    expect(process.restartCount).toBe(1);
    expect(process.lastTermination).toMatchObject({ reason: 'Error', exitCode: 3 });
    expect(pod.ready).toBe(false);
  });

  it('fails its start when not ready within 30 s, naming the log', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { pod, process, logFile } = stubPod({ STUB_READY: 'never' });
    const starting = expect(process.start()).rejects.toThrow(`${pod.name} was not ready within 30000 ms (see ${logFile})`);
    await until(() => expect(pod.port).toBeTypeOf('number'));
    // The deadline is taken as the first probe goes out, just after the port is known; the clock then jumps past it.
    vi.advanceTimersByTime(30_000);
    await starting;
    expect(pod.ready).toBe(false);
  });

  it.each([
    ['answers 503', 'never'],
    ['refuses connections', 'refused'],
  ])('fails a start that is stopped before the pod is ready (its probe %s), and one asked for after the stop', async (_how, ready) => {
    const { pod, process } = stubPod({ STUB_READY: ready });
    const starting = expect(process.start()).rejects.toThrow(`${pod.name} stopped before it was ready`);
    await until(() => expect(pod.port).toBeTypeOf('number'));
    await process.stop();
    await starting;
    await expect(process.start()).rejects.toThrow(`${pod.name} stopped before it was ready`);

    const never = stubPod();
    await never.process.stop();
    await expect(never.process.start()).rejects.toThrow(`${never.pod.name} stopped before it was ready`);
    expect(never.process.pid).toBeUndefined();
  });

  it(
    "restarts a crashed pod at once, then after the kubelet's back-off of 10 s doubling, forgotten after 10 min without a crash",
    async () => {
      const { pod, process, reports, events } = stubPod();
      await process.start();
      await crash(pod, 3);
      expect(process.state).not.toBe('CrashLoopBackOff');
      await until(() => expect(events.readyAgain).toBe(1));
      expect(pod.ready).toBe(true);
      expect(process.restartCount).toBe(1);
      expect(process.lastTermination).toMatchObject({ reason: 'Error', exitCode: 3 });

      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], fakeNodeBuiltins: true });
      for (const [restart, seconds] of [
        [2, 10],
        [3, 20],
        [4, 40],
      ] as const) {
        const crashed = process.pid!;
        await crash(pod, 3);
        expect(process.state).toBe('CrashLoopBackOff');
        expect(process.backoffSeconds).toBe(seconds);
        expect(process.restartCount).toBe(restart);
        await vi.advanceTimersByTimeAsync(seconds * 1000 - 1);
        expect(process.state).toBe('CrashLoopBackOff');
        expect(process.pid).toBe(crashed);
        await vi.advanceTimersByTimeAsync(1);
        expect(process.backoffSeconds).toBe(0);
        await until(() => expect(events.readyAgain).toBe(restart));
        expect(process.pid).not.toBe(crashed);
      }
      // Ten minutes after the back-off last changed, the next crash restarts at once again.
      vi.advanceTimersByTime(600_001);
      await crash(pod, 3);
      expect(process.state).not.toBe('CrashLoopBackOff');
      await vi.advanceTimersByTimeAsync(0);
      await until(() => expect(events.readyAgain).toBe(5));
      expect(reports).toEqual([
        `ns/${pod.name} exited (Error, exit code 3); restart 1`,
        `ns/${pod.name} exited (Error, exit code 3); restart 2 in 10 s`,
        `ns/${pod.name} exited (Error, exit code 3); restart 3 in 20 s`,
        `ns/${pod.name} exited (Error, exit code 3); restart 4 in 40 s`,
        `ns/${pod.name} exited (Error, exit code 3); restart 5`,
      ]);
    },
    30_000,
  );

  it('reports a restart that fails, and backs off before the next', async () => {
    const marker = join(stateDir, `exit-at-start-${count + 1}`);
    const { pod, process, reports, logFile } = stubPod({ STUB_EXIT_AT_START: '3', STUB_EXIT_AT_START_FILE: marker });
    await process.start();
    writeFileSync(marker, '');
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], fakeNodeBuiltins: true });
    await crash(pod, 1);
    // The first restart is at once (a timer of 0 ms, faked here too), and fails.
    await vi.advanceTimersByTimeAsync(0);
    await until(() => expect(reports).toHaveLength(3));
    expect(reports).toEqual([
      `ns/${pod.name} exited (Error, exit code 1); restart 1`,
      `ns/${pod.name} exited (Error, exit code 3); restart 2 in 10 s`,
      `ns/${pod.name} exited with code 3 before listening (see ${logFile})`,
    ]);
    expect(process.state).toBe('CrashLoopBackOff');
    expect(pod.ready).toBe(false);
  });

  it('is not restarted when stopped during its back-off', async () => {
    const { pod, process, reports } = stubPod();
    await process.start();
    await crash(pod, 1);
    await until(() => expect(pod.ready).toBe(true));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], fakeNodeBuiltins: true });
    await crash(pod, 1);
    const crashed = process.pid!;
    expect(process.state).toBe('CrashLoopBackOff');
    await process.stop();
    expect(process.state).toBe('Terminating');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(process.pid).toBe(crashed);
    expect(process.restartCount).toBe(2);
    expect(reports).toEqual([`ns/${pod.name} exited (Error, exit code 1); restart 1`, `ns/${pod.name} exited (Error, exit code 1); restart 2 in 10 s`]);
  });

  it('says how the container last ended: Completed, Error with 128 + the signal, OOMKilled only for its own heap', async () => {
    const { pod, process, reports } = stubPod({}, { memoryLimit: 64 * 2 ** 20 });
    await process.start();
    await crash(pod, 0);
    expect(process.lastTermination).toMatchObject({ reason: 'Completed', exitCode: 0 });
    await until(() => expect(pod.ready).toBe(true));

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], fakeNodeBuiltins: true });
    // V8 aborting at the heap limit is what the cgroup's OOM killer is to a container: OOMKilled, exit code 137.
    await get(pod.port!, '/oom').catch(() => undefined);
    await until(() => expect(pod.port).toBeUndefined());
    expect(process.lastTermination).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    await vi.advanceTimersByTimeAsync(10_000);
    await until(() => expect(pod.ready).toBe(true));

    // The next process's exit with 134 but without those words in its own output is an Error, not the earlier OOM.
    await crash(pod, 134);
    expect(process.lastTermination).toMatchObject({ reason: 'Error', exitCode: 134 });
    await vi.advanceTimersByTimeAsync(20_000);
    await until(() => expect(pod.ready).toBe(true));

    globalThis.process.kill(process.pid!, 'SIGKILL');
    await until(() => expect(pod.port).toBeUndefined());
    expect(process.lastTermination).toMatchObject({ reason: 'Error', exitCode: 137 });
    expect(reports).toEqual([
      `ns/${pod.name} exited (Completed, exit code 0); restart 1`,
      `ns/${pod.name} exited (OOMKilled, exit code 137); restart 2 in 10 s`,
      `ns/${pod.name} exited (Error, exit code 134); restart 3 in 20 s`,
      `ns/${pod.name} exited (Error, exit code 137); restart 4 in 40 s`,
    ]);
  }, 30_000);

  it('is killed (SIGKILL) when it has not stopped terminationGracePeriodSeconds after SIGTERM', async () => {
    const { pod, process, reports } = stubPod({ STUB_IGNORE_SIGTERM: '1' });
    await process.start();
    const pid = process.pid!;
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], fakeNodeBuiltins: true });
    const stopping = process.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(29_999);
    expect(alive(pid)).toBe(true);
    expect(stopped).toBe(false);
    expect(reports).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(reports).toEqual([`${pod.name} did not stop within 30000 ms: killing it`]);
    await stopping;
    expect(alive(pid)).toBe(false);
    // Stopping is not a crash: no restart, no termination recorded.
    expect(process.restartCount).toBe(0);
    expect(process.lastTermination).toBeUndefined();
  });
});
