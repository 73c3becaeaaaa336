import type { JaegerSpan, JaegerTrace } from './store.js';

/** One span in its trace's tree: children ordered by start time. */
export interface SpanNode {
  span: JaegerSpan;
  depth: number;
  children: SpanNode[];
}

/** The span's CHILD_OF parent, if that span is in the trace (Jaeger UI's tree uses the first reference alike). */
function parentOf(span: JaegerSpan, ids: ReadonlySet<string>): string | undefined {
  const reference = span.references.find((r) => r.refType === 'CHILD_OF') ?? span.references[0];
  return reference && ids.has(reference.spanID) && reference.spanID !== span.spanID ? reference.spanID : undefined;
}

/**
 * The trace as Jaeger UI's waterfall orders it (TreeNode, getTraceSpanIdsAsTree): each span under its parent,
 * siblings by start time, so every row directly follows its parent or an earlier sibling's subtree, whatever the
 * clocks' resolution. Spans whose parent is missing become roots, ordered by start.
 */
export function spanTree(trace: JaegerTrace): SpanNode[] {
  const ids = new Set(trace.spans.map((s) => s.spanID));
  const nodes = new Map(trace.spans.map((span) => [span.spanID, { span, depth: 0, children: [] as SpanNode[] }]));
  const roots: SpanNode[] = [];
  for (const node of nodes.values()) {
    const parent = parentOf(node.span, ids);
    if (parent) nodes.get(parent)!.children.push(node);
    else roots.push(node);
  }
  // A span a parent chain leads back to itself (a malformed trace) would never be reached from a root: make it one.
  const reached = new Set<SpanNode>();
  const order = (list: SpanNode[], depth: number): void => {
    list.sort((a, b) => a.span.startTime - b.span.startTime || b.span.duration - a.span.duration);
    for (const node of list) {
      node.depth = depth;
      reached.add(node);
      order(node.children, depth + 1);
    }
  };
  order(roots, 0);
  for (const node of nodes.values()) {
    if (reached.has(node)) continue;
    const parent = nodes.get(parentOf(node.span, ids)!);
    if (parent) parent.children = parent.children.filter((child) => child !== node);
    roots.push(node);
    order([node], 0);
  }
  return roots;
}

/** The tree's nodes in waterfall order (depth-first, parents first). */
export function flatten(roots: SpanNode[]): SpanNode[] {
  const rows: SpanNode[] = [];
  const walk = (node: SpanNode) => {
    rows.push(node);
    node.children.forEach(walk);
  };
  roots.forEach(walk);
  return rows;
}

/** A stretch of time during which a span, and nothing it waited for, was what the trace waited on. */
export interface CriticalSection {
  spanId: string;
  startUs: number;
  endUs: number;
}

/**
 * Jaeger UI's critical path (packages/jaeger-ui/src/components/TracePage/CriticalPath: computeCriticalPath): from
 * the root, step into the child that finished last, then back in its parent to the child that finished before that
 * one started, and so on. Children are first clipped to their parent (sanitizeOverFlowingChildren) and only CHILD_OF
 * children count (getChildOfSpans). Sections are returned in the order found, latest first.
 */
export function criticalPath(trace: JaegerTrace): CriticalSection[] {
  const roots = spanTree(trace);
  const root = roots[0];
  if (!root) return [];
  const clipped = new Map<string, { start: number; end: number; node: SpanNode; parent: SpanNode | undefined }>();
  const clip = (node: SpanNode, parent: SpanNode | undefined, within: { start: number; end: number } | undefined) => {
    let start = node.span.startTime;
    let end = start + node.span.duration;
    if (within) {
      // A child wholly outside its parent is dropped; one that overflows it is cut at the parent's edges.
      if (start >= within.end || end <= within.start) return;
      start = Math.max(start, within.start);
      end = Math.min(end, within.end);
    }
    clipped.set(node.span.spanID, { start, end, node, parent });
    for (const child of node.children) if (child.span.references.some((r) => r.refType === 'CHILD_OF')) clip(child, node, { start, end });
  };
  clip(root, undefined, undefined);

  const sections: CriticalSection[] = [];
  const push = (spanId: string, startUs: number, endUs: number) => {
    if (startUs !== endUs) sections.push({ spanId, startUs, endUs });
  };
  // Iterative form of the recursion: `spawn` is the start of the child we came back from.
  let current = clipped.get(root.span.spanID);
  let spawn: number | undefined;
  while (current) {
    const end = spawn ?? current.end;
    const children = current.node.children.map((c) => clipped.get(c.span.spanID)).filter((c) => c !== undefined);
    const candidates = spawn === undefined ? children : children.filter((c) => c.end < spawn!);
    const last = candidates.reduce<(typeof candidates)[number] | undefined>((best, c) => (!best || c.end > best.end ? c : best), undefined);
    if (last) {
      push(current.node.span.spanID, last.end, end);
      current = last;
      spawn = undefined;
    } else {
      push(current.node.span.spanID, current.start, end);
      spawn = current.start;
      current = current.parent ? clipped.get(current.parent.span.spanID) : undefined;
    }
  }
  return sections;
}
