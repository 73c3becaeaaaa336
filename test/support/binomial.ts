/**
 * The counts a Binomial(n, p) draw falls in except with probability at most `falseFailure`: [low, high] with
 * P(X < low) ≤ falseFailure / 2 and P(X > high) ≤ falseFailure / 2, computed exactly (log-space terms, no normal
 * approximation). An assertion that a random count lies in it fails by chance with at most that probability.
 */
export function binomialAcceptance(n: number, p: number, falseFailure: number): { low: number; high: number } {
  const logChoose = (k: number) => logFactorial(n) - logFactorial(k) - logFactorial(n - k);
  const pmf = Array.from({ length: n + 1 }, (_, k) => Math.exp(logChoose(k) + k * Math.log(p) + (n - k) * Math.log(1 - p)));
  let low = 0;
  for (let below = 0; below + pmf[low]! <= falseFailure / 2; low++) below += pmf[low]!;
  let high = n;
  for (let above = 0; above + pmf[high]! <= falseFailure / 2; high--) above += pmf[high]!;
  return { low, high };
}

function logFactorial(k: number): number {
  let sum = 0;
  for (let i = 2; i <= k; i++) sum += Math.log(i);
  return sum;
}
