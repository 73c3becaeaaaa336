/** A label selector's matchLabels: every key present with the same value. */
export function matchesLabels(labels: Record<string, string> | undefined, selector: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector)) if (labels?.[key] !== value) return false;
  return true;
}
