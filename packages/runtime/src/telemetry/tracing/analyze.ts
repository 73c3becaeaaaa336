import { criticalPath, flatten, spanTree } from './span-tree.js';
import type { JaegerSpan, JaegerTrace } from './store.js';

/** The talk's findings in one trace, with the numbers that make the point. */
export interface Analysis {
  traceId: string;
  root: string;
  durationMs: number;
  /** Sibling downstream calls that never overlap: they could have run at once. */
  serialFanOuts: { parent: string; calls: string[]; sumMs: number; maxMs: number }[];
  /** Three or more calls of one operation under one parent. */
  nPlusOne: { parent: string; operation: string; count: number; totalMs: number }[];
  errors: { span: string; status: number | undefined; message: string | undefined }[];
  /**
   * Jaeger UI's critical path, in the waterfall's order: the spans the page waited on, each with the time it alone
   * was on the path (a span that waited for a child is on it before and after that child, counted together).
   */
  criticalPath: { span: string; service: string; kind: string | undefined; durationMs: number }[];
}

const ms = (us: number) => Math.round(us / 100) / 10;

/**
 * OpenTelemetry JS anchors each span's start to Date.now() (whole milliseconds) and measures its duration with the
 * monotonic clock, so a call that starts right after its sibling ended can appear to start up to 1 ms early.
 */
export const CLOCK_SLACK_US = 1000;

function tagOf(span: JaegerSpan, key: string): string | number | boolean | undefined {
  return span.tags.find((t) => t.key === key)?.value;
}

/**
 * Analyses a trace in Jaeger's shape, so the same code reads the built-in collector and a real Jaeger. A downstream
 * call is a span that names its peer (`peer.service`, set by the kit for every call) or a client span.
 */
export function analyzeTrace(trace: JaegerTrace): Analysis {
  const name = (span: JaegerSpan) => `${trace.processes[span.processID]?.serviceName ?? '?'}: ${span.operationName}`;
  const isCall = (span: JaegerSpan) => tagOf(span, 'peer.service') !== undefined;
  // The waterfall's tree; its first root (a trace whose every span has a parent, a reference cycle, still has one).
  const rows = flatten(spanTree(trace));
  const root = rows[0]!.span;

  const analysis: Analysis = { traceId: trace.traceID, root: name(root), durationMs: ms(root.duration), serialFanOuts: [], nPlusOne: [], errors: [], criticalPath: [] };
  for (const { span: parent, children } of rows) {
    const calls = children.map((child) => child.span).filter(isCall).sort((a, b) => a.startTime - b.startTime);
    const operations = new Set(calls.map((c) => c.operationName));
    const serial = calls.length >= 2 && calls.every((c, i) => i === 0 || c.startTime + CLOCK_SLACK_US >= calls[i - 1]!.startTime + calls[i - 1]!.duration);
    if (serial && operations.size >= 2) {
      analysis.serialFanOuts.push({
        parent: name(parent),
        calls: calls.map((c) => c.operationName),
        sumMs: ms(calls.reduce((sum, c) => sum + c.duration, 0)),
        maxMs: ms(Math.max(...calls.map((c) => c.duration))),
      });
    }
    for (const operation of operations) {
      const same = calls.filter((c) => c.operationName === operation);
      if (same.length >= 3) analysis.nPlusOne.push({ parent: name(parent), operation, count: same.length, totalMs: ms(same.reduce((sum, c) => sum + c.duration, 0)) });
    }
  }
  for (const span of trace.spans) {
    const status = Number(tagOf(span, 'http.response.status_code') ?? tagOf(span, 'http.status_code') ?? NaN);
    if (tagOf(span, 'error') === true && isCall(span)) {
      analysis.errors.push({ span: name(span), status: Number.isNaN(status) ? undefined : status, message: tagOf(span, 'otel.status_description') as string | undefined });
    }
  }
  const onPath = new Map<string, number>();
  for (const section of criticalPath(trace)) onPath.set(section.spanId, (onPath.get(section.spanId) ?? 0) + section.endUs - section.startUs);
  // In the waterfall's order, which is time order with a parent before what it waited for.
  analysis.criticalPath = rows
    .filter(({ span }) => onPath.has(span.spanID))
    .map(({ span }) => ({
      span: name(span),
      service: trace.processes[span.processID]?.serviceName ?? '?',
      kind: tagOf(span, 'span.kind') as string | undefined,
      durationMs: ms(onPath.get(span.spanID)!),
    }));
  return analysis;
}

export function formatAnalysis(a: Analysis): string {
  const lines = [`trace ${a.traceId}: ${a.root}, ${a.durationMs} ms`];
  for (const f of a.serialFanOuts) {
    lines.push(`  serial fan-out in ${f.parent}: ${f.calls.join(' → ')} never overlap: sum ${f.sumMs} ms vs max ${f.maxMs} ms (in parallel: ~${f.maxMs} ms)`);
  }
  for (const f of a.nPlusOne) lines.push(`  N+1 in ${f.parent}: ${f.operation} called ${f.count} times, ${f.totalMs} ms in total`);
  for (const e of a.errors) lines.push(`  error: ${e.span}${e.status ? ` answered ${e.status}` : ''}${e.message ? ` (${e.message})` : ''}`);
  if (a.serialFanOuts.length + a.nPlusOne.length + a.errors.length === 0) lines.push('  no serial fan-out, no N+1, no errors');
  // The services the path passes through (their server spans), a run of calls to one service counted: the staircase.
  const through: { service: string; times: number }[] = [];
  for (const step of a.criticalPath.filter((s) => s.kind === 'server')) {
    const last = through.at(-1);
    if (last?.service === step.service) last.times++;
    else through.push({ service: step.service, times: 1 });
  }
  const most = [...a.criticalPath].sort((x, y) => y.durationMs - x.durationMs).slice(0, 3);
  lines.push(`  critical path: ${a.criticalPath.length} spans, through ${through.map((t) => (t.times > 1 ? `${t.service} ×${t.times}` : t.service)).join(' → ')}`);
  lines.push(`  most of its time in: ${most.map((s) => `${s.span} ${s.durationMs} ms`).join(', ')}`);
  return lines.join('\n');
}

/** A terminal waterfall: the span tree (span-tree.ts), one row per span indented by depth, with a bar where it ran. */
export function formatWaterfall(trace: JaegerTrace, width = 48): string {
  const start = Math.min(...trace.spans.map((s) => s.startTime));
  const end = Math.max(...trace.spans.map((s) => s.startTime + s.duration));
  const scale = width / Math.max(end - start, 1);
  const rows = flatten(spanTree(trace)).map(({ span, depth }) => {
    const label = `${'  '.repeat(depth)}${trace.processes[span.processID]?.serviceName}: ${span.operationName}`;
    const from = Math.floor((span.startTime - start) * scale);
    const length = Math.max(1, Math.round(span.duration * scale));
    return { label, bar: `${' '.repeat(from)}${'█'.repeat(Math.min(length, width - from))}`, duration: `${ms(span.duration)} ms` };
  });
  const labelWidth = Math.min(70, Math.max(...rows.map((r) => r.label.length)));
  return [`trace ${trace.traceID} (${ms(end - start)} ms)`, ...rows.map((r) => `${r.label.slice(0, labelWidth).padEnd(labelWidth)} │${r.bar.padEnd(width)}│ ${r.duration}`)].join('\n');
}
