import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pod } from '../k8s/identity.js';
import { drainEndpoint } from '../proxy/forward.js';
import type { StartSlots } from './start-slots.js';

export interface PodProcessOptions {
  pod: Pod;
  entry: string;
  cwd: string;
  env: Record<string, string>;
  readinessPath: string;
  /** terminationGracePeriodSeconds, in ms: how long SIGTERM may take before SIGKILL. */
  graceMs: number;
  logFile: string;
  /** The container's limits.memory in bytes: the process's heap is bounded by it. */
  memoryLimit?: number | undefined;
  /** Every start, the first and each restart, takes one of the kubelet's start slots until the pod is ready. */
  slots: StartSlots;
  /** Called each time the pod is ready again after a restart. */
  readyAgain: () => void;
  /** Called for restarts and failures the user should see. */
  report: (message: string) => void;
}

/** How the container last ended, as its lastState.terminated says. */
export interface Termination {
  reason: 'OOMKilled' | 'Error' | 'Completed';
  exitCode: number;
  /** When, in ms since the epoch. */
  at: number;
}

/** The pod's container as kubectl get pods sums it up. */
export type ContainerState = 'ContainerCreating' | 'Running' | 'CrashLoopBackOff' | 'Terminating';

const READY_TIMEOUT_MS = 30_000;
const PROBE_INTERVAL_MS = 50;
/** The kubelet's CrashLoopBackOff (pkg/kubelet/kubelet.go, flowcontrol.Backoff): 10 s doubling to 5 min, forgotten after 10 min. */
const INITIAL_BACKOFF_MS = 10_000;
const MAX_BACKOFF_MS = 300_000;
/** What V8 prints as it aborts a process whose heap reached its limit. */
const HEAP_OUT_OF_MEMORY = 'JavaScript heap out of memory';

/**
 * Runs one pod as a child process the way a kubelet runs its container: start, probe readiness, restart with
 * back-off when it dies, and stop with SIGTERM then SIGKILL after the grace period. The IPC channel tells the child
 * its parent is gone, so a killed runtime leaves no orphans.
 */
export class PodProcess {
  private child: ChildProcess | undefined;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private logStart = 0;
  private restarts = 0;
  /** The back-off being waited out now, in ms (0: not backing off). */
  private waitingMs = 0;
  /** The back-off the next crash waits, and when it last changed (undefined: no crash yet, or forgotten). */
  private backoff: { ms: number; updated: number } | undefined;
  private last: Termination | undefined;
  /** When the current process was forked and when it was first ready (ms since the epoch). */
  private started: number | undefined;
  private readied: number | undefined;

  constructor(private readonly options: PodProcessOptions) {
    mkdirSync(dirname(options.logFile), { recursive: true });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get restartCount(): number {
    return this.restarts;
  }

  get lastTermination(): Termination | undefined {
    return this.last;
  }

  get state(): ContainerState {
    if (this.stopping) return 'Terminating';
    if (this.waitingMs > 0) return 'CrashLoopBackOff';
    return this.child ? 'Running' : 'ContainerCreating';
  }

  /** The back-off being waited out, in seconds, as the kubelet's waiting message says it. */
  get backoffSeconds(): number {
    return this.waitingMs / 1000;
  }

  get startedAt(): number | undefined {
    return this.started;
  }

  get readyAt(): number | undefined {
    return this.readied;
  }

  /** Resolves once the pod answers its readiness probe; waits for a start slot first. */
  start(): Promise<void> {
    return this.options.slots.run(() => this.startNow());
  }

  private async startNow(): Promise<void> {
    const { pod } = this.options;
    if (this.stopping) throw new Error(`${pod.name} stopped before it was ready`);
    // The container's stdout and stderr go straight to its log file: no pipe through the runtime that could fill
    // up, or break, and stall the pod's logger when the runtime is gone.
    const log = openSync(this.options.logFile, 'a');
    // This process's own output starts here: an earlier one's last words are not its.
    this.logStart = fstatSync(log).size;
    let child: ChildProcess;
    try {
      child = fork(this.options.entry, [], {
        cwd: this.options.cwd,
        env: this.options.env,
        stdio: ['ignore', log, log, 'ipc'],
        // As the image's CMD does: OpenTelemetry is loaded before the service, so its libraries get instrumented.
        // A small young generation: a dozen pods on a laptop each keep ~25 MB less resident for a few more scavenges.
        // The heap is bounded by limits.memory: where the container's cgroup would kill the pod, V8 aborts it.
        execArgv: [
          '--max-semi-space-size=2',
          ...(this.options.memoryLimit ? [`--max-old-space-size=${Math.max(1, Math.floor(this.options.memoryLimit / 2 ** 20))}`] : []),
          '--import',
          '@mesh-mall/kit/telemetry',
        ],
        serialization: 'json',
      });
    } finally {
      closeSync(log);
    }
    this.child = child;
    this.started = Date.now();
    this.readied = undefined;
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code, signal) => {
        this.onExit(child, code, signal);
        resolve(code);
      }),
    );

    const port = await Promise.race([
      new Promise<number>((resolve) =>
        child.on('message', (message: { type?: string; port?: number }) => {
          if (message?.type === 'listening' && typeof message.port === 'number') resolve(message.port);
        }),
      ),
      exited.then((code) => {
        throw new Error(`${pod.namespace}/${pod.name} exited with code ${code} before listening (see ${this.options.logFile})`);
      }),
    ]);
    pod.port = port;
    await this.waitReady(child, port);
    if (this.stopping) throw new Error(`${pod.name} stopped before it was ready`);
    pod.ready = true;
    this.readied = Date.now();
    if (this.restarts > 0) this.options.readyAgain();
  }

  /** SIGTERM, then SIGKILL after the grace period; the pod leaves the endpoints first. Once, however often asked. */
  stop(): Promise<void> {
    this.stopped ??= this.stopNow();
    return this.stopped;
  }

  private async stopNow(): Promise<void> {
    this.stopping = true;
    this.leaveEndpoints();
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => false), sleep(this.options.graceMs, true)]);
    if (killed) {
      this.options.report(`${this.options.pod.name} did not stop within ${this.options.graceMs} ms: killing it`);
      child.kill('SIGKILL');
      await exited;
    }
  }

  private async waitReady(child: ChildProcess, port: number): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const url = `http://127.0.0.1:${port}${this.options.readinessPath}`;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || this.stopping) throw new Error(`${this.options.pod.name} stopped before it was ready`);
      const ok = await fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await sleep(PROBE_INTERVAL_MS);
    }
    throw new Error(`${this.options.pod.name} was not ready within ${READY_TIMEOUT_MS} ms (see ${this.options.logFile})`);
  }

  /**
   * Out of its Services' endpoints, so no new request picks it; the callers' proxies drain their connections to it,
   * as Envoy drains a host an endpoints update removed.
   */
  private leaveEndpoints(): void {
    const { pod } = this.options;
    pod.ready = false;
    if (pod.port !== undefined) drainEndpoint(pod.port);
  }

  /**
   * restartPolicy: Always, as the kubelet restarts (kuberuntime_manager doBackOff): at once after the first crash, then
   * after the back-off, which doubles each time up to 5 min; 10 min without a crash and it is forgotten.
   */
  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping || child !== this.child) return;
    const { pod } = this.options;
    this.leaveEndpoints();
    delete pod.port;
    this.last = this.termination(code, signal);
    this.restarts++;
    const now = Date.now();
    let delay = 0;
    if (!this.backoff || now - this.backoff.updated > 2 * MAX_BACKOFF_MS) {
      this.backoff = { ms: INITIAL_BACKOFF_MS, updated: now };
    } else {
      delay = this.backoff.ms;
      this.backoff = { ms: Math.min(this.backoff.ms * 2, MAX_BACKOFF_MS), updated: now + delay };
    }
    this.waitingMs = delay;
    this.options.report(`${pod.namespace}/${pod.name} exited (${this.last.reason}, exit code ${this.last.exitCode}); restart ${this.restarts}${delay > 0 ? ` in ${delay / 1000} s` : ''}`);
    void sleep(delay).then(() => {
      this.waitingMs = 0;
      if (this.stopping) return;
      this.start().catch((error: Error) => this.options.report(error.message));
    });
  }

  /**
   * The container's terminated state. A heap that reached its limit is OOMKilled with exit code 137, as the cgroup's
   * OOM killer (SIGKILL) ends a container over limits.memory; otherwise the exit code, or 128 + the signal's number.
   */
  private termination(code: number | null, signal: NodeJS.Signals | null): Termination {
    const at = Date.now();
    if (this.options.memoryLimit && (signal === 'SIGABRT' || code === 134) && logTail(this.options.logFile, this.logStart).includes(HEAP_OUT_OF_MEMORY)) {
      return { reason: 'OOMKilled', exitCode: 137, at };
    }
    const exitCode = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
    return { reason: exitCode === 0 ? 'Completed' : 'Error', exitCode, at };
  }
}

/** The last few KB of a log file, where a dying process's last words are; empty when it cannot be read. */
function logTail(file: string, from: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    const length = Math.max(0, Math.min(size - from, 8192));
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } catch {
    // No log to read (removed meanwhile): the exit counts as an Error, not OOMKilled.
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
