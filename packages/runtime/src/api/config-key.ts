/**
 * A Secret's (or ConfigMap's) key as the API server validates it: IsConfigMapKey in
 * https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go
 * (at most 253 bytes, `[-._a-zA-Z0-9]+`, not `.`, `..` or starting with `..`), with its messages.
 */
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
const MAX_LENGTH = 253;

export function configKeyErrors(key: string): string[] {
  const errors: string[] = [];
  if (Buffer.byteLength(key) > MAX_LENGTH) errors.push(`must be no more than ${MAX_LENGTH} characters`);
  if (!CONFIG_KEY.test(key)) {
    errors.push(
      "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    );
  }
  if (key === '.') errors.push("must not be '.'");
  else if (key === '..') errors.push("must not be '..'");
  else if (key.startsWith('..')) errors.push("must not start with '..'");
  return errors;
}
