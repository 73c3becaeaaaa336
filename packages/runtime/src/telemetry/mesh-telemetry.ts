import { AccessLog } from './access-log.js';
import { HopRecorder } from './hop-recorder.js';
import { MeshMetrics } from './metrics.js';
import { TopologyRecorder } from './topology.js';
import { TraceStore } from './tracing/store.js';

/** What the proxies report into, and what the viewer, `get topology` and `/metrics` read: one of each per runtime. */
export class MeshTelemetry {
  readonly accessLog: AccessLog;
  readonly metrics = new MeshMetrics();
  readonly traces = new TraceStore();
  readonly topology = new TopologyRecorder();
  /** Where each proxy hands the hops it ends. */
  readonly hops: HopRecorder;

  constructor(accessLogPath: string) {
    this.accessLog = new AccessLog(accessLogPath);
    this.hops = new HopRecorder(this.accessLog, this.metrics, this.topology, this.traces);
  }

  close(): void {
    this.accessLog.close();
  }
}
