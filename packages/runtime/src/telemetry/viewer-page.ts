/** The viewer's page shell (trace list, waterfall, topology): self-contained HTML, no script from anywhere else. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (value: unknown) => String(value).replace(/[&<>"']/g, (c) => ESCAPES[c]!);
export const ms = (us: number) => `${Math.round(us / 100) / 10} ms`;

const STYLE = `body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#1d2433;background:#f4f6fb}
nav{display:flex;gap:1.2rem;align-items:center;padding:.7rem 1.2rem;background:#0f3057;color:#fff}nav a{color:#cde}
main{padding:1rem 1.2rem}table{border-collapse:collapse;width:100%;background:#fff}td,th{padding:.35rem .6rem;border-bottom:1px solid #e3e7ef;text-align:left}
.bar{position:relative;height:14px;background:#eef2f7}.bar span{position:absolute;top:0;height:14px;background:#00a8cc;border-radius:2px}
.bar.err span{background:#e76f51}.muted{color:#667085}code{font-size:12px}`;

/** A viewer page; `head` is extra markup for its head (a script of the viewer's own, a style). */
export function page(title: string, body: string, head = ''): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">${head}<title>${esc(title)} · mesh-mall traces</title><style>${STYLE}</style></head>
<body><nav><b>mesh-mall traces</b><a href="/">traces</a><a href="/topology">topology</a></nav><main>${body}</main></body></html>`;
}

