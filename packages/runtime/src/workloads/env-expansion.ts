/**
 * Kubernetes' dependent environment variables: `$(NAME)` in an env value is replaced by the variable's value when
 * `lookup` knows it (the kubelet's mapping: variables defined earlier in the container's env), and left as written
 * otherwise; `$$` is a literal `$`, so `$$(NAME)` gives `$(NAME)`; a `$` before anything else stays, as does an
 * unterminated `$(`. A port of Expand in kubernetes/third_party/forked/golang/expansion/expand.go; see also
 * https://kubernetes.io/docs/tasks/inject-data-application/define-interdependent-environment-variables/
 */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    // A `$` as the last character is kept as it is.
    if (input[cursor] !== '$' || cursor + 1 === input.length) continue;
    out += input.slice(checkpoint, cursor);
    const { read, isVariable, advance } = readVariableName(input, cursor + 1);
    out += isVariable ? (lookup(read) ?? `$(${read})`) : read;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** tryReadVariableName: what follows a `$` at `start`, whether it names a variable, and how many characters it took. */
function readVariableName(input: string, start: number): { read: string; isVariable: boolean; advance: number } {
  const next = String.fromCodePoint(input.codePointAt(start)!);
  if (next === '$') return { read: '$', isVariable: false, advance: 1 };
  if (next === '(') {
    // The name runs to the first `)`, whatever it holds (`$(A$(B))` names `A$(B`).
    const close = input.indexOf(')', start + 1);
    if (close !== -1) return { read: input.slice(start + 1, close), isVariable: true, advance: close - start + 1 };
    return { read: '$(', isVariable: false, advance: 1 };
  }
  // Not an expression: the `$` and the character after it, one code point as Go reads one rune.
  return { read: `$${next}`, isVariable: false, advance: next.length };
}
