/**
 * Whether a parsed JSON value nests deeper than `limit` objects and arrays. Iterative, so a value too deep for the
 * functions that recurse over it (structuredClone, schema checks) is found without overflowing the stack itself.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
