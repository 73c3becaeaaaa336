/**
 * Smooth weighted round-robin (as nginx's upstream module does it): over any run of requests the split is exact, not
 * only on average, and picks interleave (80/20 gives two of every ten to the lighter side, never eight in a row).
 * Returns the index of the next pick.
 */
export function weightedPicker(weights: readonly number[]): () => number {
  // Stryker disable next-line ConditionalExpression: the general picker with one weight picks index 0 every time too
  if (weights.length === 1) return () => 0;
  const current = weights.map(() => 0);
  const total = weights.reduce((a, b) => a + b, 0);
  return () => {
    let best = 0;
    // Stryker disable next-line EqualityOperator: the extra index reads NaN (undefined + undefined), never greater than the best: never picked
    for (let i = 0; i < weights.length; i++) {
      current[i]! += weights[i]!;
      if (current[i]! > current[best]!) best = i;
    }
    current[best]! -= total;
    return best;
  };
}
