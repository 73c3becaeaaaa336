import * as hdr from 'hdr-histogram-js';
import type { ErrorKind, Sample } from './generator.js';

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadReport {
  target: string;
  runId: string;
  startedAt: string;
  rate: number;
  durationS: number;
  sent: number;
  completed: number;
  rps: number;
  errors: Partial<Record<ErrorKind, number>>;
  /** Share of answered pages per mall version, 0–1. */
  versionShare: Record<string, number>;
  /** Answered pages per mall version. */
  versionCount: Record<string, number>;
  latencyMs: { all: LatencySummary; byVersion: Record<string, LatencySummary>; byUser: Record<string, LatencySummary> };
  /** Per second of the run (by due time) and per version: the chart of the canary moving. */
  timeline: { second: number; version: string; count: number; p50: number; p99: number }[];
}

/** Microsecond resolution, up to an hour. */
function histogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

function summarize(values: number[]): LatencySummary {
  const h = histogram();
  for (const ms of values) h.recordValue(Math.max(1, Math.round(ms * 1000)));
  const at = (p: number) => Math.round(h.getValueAtPercentile(p) / 10) / 100;
  const summary = { count: values.length, p50: at(50), p90: at(90), p99: at(99), max: Math.round(h.maxValue / 10) / 100 };
  h.destroy();
  return summary;
}

function groupBy<T>(items: T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

/** Latency of answered pages (HDR histograms), errors by kind, and the version split. */
export function buildReport(samples: Sample[], meta: { target: string; runId: string; startedAt: string; rate: number; durationMs: number; elapsedMs: number }): LoadReport {
  const ok = samples.filter((s) => !s.error);
  const errors: LoadReport['errors'] = {};
  for (const s of samples) if (s.error) errors[s.error] = (errors[s.error] ?? 0) + 1;
  const byVersion = groupBy(ok, (s) => s.version);
  const versionCount = Object.fromEntries([...byVersion].map(([v, list]) => [v, list.length]));
  const timeline: LoadReport['timeline'] = [];
  for (const [second, list] of groupBy(ok, (s) => String(Math.floor(s.dueMs / 1000)))) {
    for (const [version, inVersion] of groupBy(list, (s) => s.version)) {
      const summary = summarize(inVersion.map((s) => s.latencyMs));
      timeline.push({ second: Number(second), version, count: inVersion.length, p50: summary.p50, p99: summary.p99 });
    }
  }
  return {
    target: meta.target,
    runId: meta.runId,
    startedAt: meta.startedAt,
    rate: meta.rate,
    durationS: meta.durationMs / 1000,
    sent: samples.length,
    completed: ok.length,
    rps: Math.round((ok.length / (meta.elapsedMs / 1000)) * 10) / 10,
    errors,
    versionShare: Object.fromEntries(Object.entries(versionCount).map(([v, n]) => [v, Math.round((n / Math.max(ok.length, 1)) * 1000) / 1000])),
    versionCount,
    latencyMs: {
      all: summarize(ok.map((s) => s.latencyMs)),
      byVersion: Object.fromEntries([...byVersion].map(([v, list]) => [v, summarize(list.map((s) => s.latencyMs))])),
      byUser: Object.fromEntries([...groupBy(ok, (s) => s.user)].map(([u, list]) => [u, summarize(list.map((s) => s.latencyMs))])),
    },
    timeline: timeline.sort((a, b) => a.second - b.second || a.version.localeCompare(b.version)),
  };
}
