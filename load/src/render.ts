import type { LatencySummary, LoadReport } from './stats.js';

const COLORS = ['#0f7b8a', '#e76f51', '#6d597a', '#2a9d8f'];
const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** The final table: one row per mall version and per user, then errors and the version split. */
export function formatTable(report: LoadReport): string {
  const row = (name: string, s: LatencySummary) =>
    `  ${name.padEnd(12)} ${String(s.count).padStart(7)} ${s.p50.toFixed(1).padStart(9)} ${s.p90.toFixed(1).padStart(9)} ${s.p99.toFixed(1).padStart(9)} ${s.max.toFixed(1).padStart(9)}`;
  const errors = Object.entries(report.errors).map(([kind, n]) => `${kind} ${n}`).join(', ') || 'none';
  const split = Object.entries(report.versionShare).map(([v, share]) => `${v} ${(share * 100).toFixed(1)}%`).join(' / ') || '-';
  return [
    `${report.target}: ${report.sent} requests at ${report.rate}/s for ${report.durationS}s, ${report.completed} answered, ${report.rps} pages/s`,
    '',
    `  ${'latency ms'.padEnd(12)} ${'pages'.padStart(7)} ${'p50'.padStart(9)} ${'p90'.padStart(9)} ${'p99'.padStart(9)} ${'max'.padStart(9)}`,
    row('all', report.latencyMs.all),
    ...Object.entries(report.latencyMs.byVersion).map(([v, s]) => row(`mall ${v}`, s)),
    ...Object.entries(report.latencyMs.byUser).map(([u, s]) => row(`user ${u}`, s)),
    '',
    `  errors: ${errors}`,
    `  versions: ${split}`,
  ].join('\n');
}

/** Latency over time per mall version (p50 solid, p99 dashed): what a speaker shows as the canary moves. */
export function renderSvg(report: LoadReport): string {
  const width = 760;
  const height = 320;
  const pad = { left: 56, right: 16, top: 28, bottom: 36 };
  const seconds = Math.max(1, Math.ceil(report.durationS));
  const maxMs = Math.max(1, ...report.timeline.map((t) => t.p99)) * 1.1;
  const x = (s: number) => pad.left + ((s + 0.5) / seconds) * (width - pad.left - pad.right);
  const y = (ms: number) => height - pad.bottom - (ms / maxMs) * (height - pad.top - pad.bottom);
  const versions = [...new Set(report.timeline.map((t) => t.version))].sort();
  const lines = versions
    .map((version, i) => {
      const points = report.timeline.filter((t) => t.version === version);
      const path = (key: 'p50' | 'p99') => points.map((t) => `${x(t.second).toFixed(1)},${y(t[key]).toFixed(1)}`).join(' ');
      const color = COLORS[i % COLORS.length];
      return `<polyline data-version="${esc(version)}" fill="none" stroke="${color}" stroke-width="2" points="${path('p50')}"/>
<polyline fill="none" stroke="${color}" stroke-width="1.5" stroke-dasharray="5 4" points="${path('p99')}"/>
<text x="${width - pad.right - 150}" y="${pad.top + 16 * i}" fill="${color}" font-size="12">mall ${esc(version)} p50 — / p99 - -</text>`;
    })
    .join('\n');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<text x="${pad.left - 6}" y="${y(maxMs * f) + 4}" font-size="11" text-anchor="end">${Math.round(maxMs * f)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">
<rect width="${width}" height="${height}" fill="#fff"/>
<text x="${pad.left}" y="18" font-size="13">latency (ms) over time, per mall version — ${esc(report.target)}</text>
<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#999"/>
<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#999"/>
${ticks}<text x="${width / 2}" y="${height - 8}" font-size="11" text-anchor="middle">seconds into the run (0–${seconds})</text>
${lines}
</svg>`;
}

export function renderHtml(report: LoadReport): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mesh-mall load ${esc(report.runId)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2rem;color:#1d2433}pre{background:#f4f6fb;padding:1rem}</style></head>
<body><h1>mesh-mall load run ${esc(report.runId)}</h1><p>${esc(report.startedAt)}</p>${renderSvg(report)}<pre>${esc(formatTable(report))}</pre></body></html>`;
}
