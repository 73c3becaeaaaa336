/**
 * The API server's checks of an object's name, namespace and labels, with its messages (k8s.io/apimachinery
 * pkg/util/validation/validation.go and pkg/api/validation/objectmeta.go): a cluster refuses such an object with
 * 422 Invalid, so the runtime refuses it too instead of running what no cluster would.
 */

const MAX_LABEL_LENGTH = 63;
const MAX_SUBDOMAIN_LENGTH = 253;

/** validation.go RegexError: the message, its examples, and the expression. */
const regexError = (message: string, format: string, ...examples: string[]) =>
  `${message} (e.g. ${examples.map((e) => `'${e}'`).join(',  or ')}, regex used for validation is '${format}')`;
const maxLenError = (length: number) => `must be no more than ${length} characters`;

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const QUALIFIED_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${QUALIFIED_NAME})?`;

const whole = (format: string) => new RegExp(`^${format}$`);

function check(value: string, maxLength: number, format: string, message: string): string[] {
  return [...(value.length > maxLength ? [maxLenError(maxLength)] : []), ...(whole(format).test(value) ? [] : [message])];
}

export const dns1123Label = (value: string) =>
  check(value, MAX_LABEL_LENGTH, DNS1123_LABEL, regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL, 'my-name', '123-abc'));

export const dns1123Subdomain = (value: string) =>
  check(value, MAX_SUBDOMAIN_LENGTH, DNS1123_SUBDOMAIN, regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN, 'example.com'));

export const dns1035Label = (value: string) =>
  check(value, MAX_LABEL_LENGTH, DNS1035_LABEL, regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL, 'my-name', 'abc-123'));

/** IsQualifiedName: a label key, `[prefix/]name`. */
export function qualifiedName(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return [regexError("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", QUALIFIED_NAME, 'MyName', 'my.name', '123-abc') + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  const [prefix, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [undefined, parts[0]!];
  const errors: string[] = [];
  if (prefix !== undefined) {
    if (prefix.length === 0) errors.push('prefix part must be non-empty');
    else errors.push(...dns1123Subdomain(prefix).map((e) => `prefix part ${e}`));
  }
  if (name.length === 0) return [...errors, 'name part must be non-empty'];
  if (name.length > MAX_LABEL_LENGTH) errors.push(`name part ${maxLenError(MAX_LABEL_LENGTH)}`);
  if (!whole(QUALIFIED_NAME).test(name)) {
    errors.push(`name part ${regexError("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", QUALIFIED_NAME, 'MyName', 'my.name', '123-abc')}`);
  }
  return errors;
}

/** IsValidLabelValue. */
export const labelValue = (value: string) =>
  check(value, MAX_LABEL_LENGTH, LABEL_VALUE, regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE, 'MyValue', 'my_value', '12345'));

/** The rule a kind's names follow (ValidateNamespaceName, ValidateServiceName; every other kind a DNS subdomain). */
const NAME_RULES: Record<string, (value: string) => string[]> = { Namespace: dns1123Label, Service: dns1035Label };

const invalid = (path: string, value: string, messages: string[]) => messages.map((m) => `${path}: Invalid value: ${JSON.stringify(value)}: ${m}`);

/** ValidateLabels: each key a qualified name, each value a label value. */
export function labelErrors(path: string, labels: unknown): string[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== 'object' || Array.isArray(labels)) return [`${path}: Invalid value: must be a map of strings`];
  return Object.entries(labels).flatMap(([key, value]) => [
    ...invalid(path, key, qualifiedName(key)),
    ...(typeof value === 'string' ? invalid(path, value, labelValue(value)) : [`${path}.${key}: Invalid value: must be a string`]),
  ]);
}

/** What the API server says of an object's metadata (empty when it would store it). */
export function objectMetaErrors(kind: string, meta: unknown): string[] {
  if (meta === undefined || meta === null || typeof meta !== 'object' || Array.isArray(meta)) return ['metadata.name: Required value: name or generateName is required'];
  const { name, namespace, labels } = meta as { name?: unknown; namespace?: unknown; labels?: unknown };
  const errors: string[] = [];
  if (name === undefined || name === '') errors.push('metadata.name: Required value: name or generateName is required');
  else if (typeof name !== 'string') errors.push('metadata.name: Invalid value: must be a string');
  else errors.push(...invalid('metadata.name', name, (NAME_RULES[kind] ?? dns1123Subdomain)(name)));
  if (namespace !== undefined && namespace !== '') {
    if (typeof namespace !== 'string') errors.push('metadata.namespace: Invalid value: must be a string');
    else errors.push(...invalid('metadata.namespace', namespace, dns1123Label(namespace)));
  }
  return [...errors, ...labelErrors('metadata.labels', labels)];
}
