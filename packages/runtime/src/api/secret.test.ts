import { describe, expect, it } from 'vitest';
import { readSecret, secretUpdateErrors, secretValue, type SecretManifest } from './secret.js';

const secret = (fields: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'mongodb-root', namespace: 'base' }, ...fields });
/** The whole message readSecret refuses `fields` with. */
function refusal(fields: Record<string, unknown>): string {
  try {
    readSecret(secret(fields));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('accepted');
}
const CONFIG_KEY_MESSAGE =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

describe('readSecret (a Secret as the API server stores it)', () => {
  it('keeps data as base64, turns stringData into data, and defaults the type to Opaque', () => {
    expect(readSecret(secret({ stringData: { username: 'root', password: 'mesh-mall-demo-only' } }))).toEqual({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'mongodb-root', namespace: 'base' },
      type: 'Opaque',
      data: { password: 'bWVzaC1tYWxsLWRlbW8tb25seQ==', username: 'cm9vdA==' },
    });
    expect(readSecret(secret({ type: '', data: { a: 'QQ==' } })).type).toBe('Opaque');
    expect(readSecret(secret({ type: 'example.com/custom', data: null, immutable: true }))).toMatchObject({ type: 'example.com/custom', data: {}, immutable: true });
  });

  it('merges stringData over data: a key in both takes the stringData value', () => {
    const read = readSecret(secret({ data: { username: 'YWRtaW4=', token: 'dA==' }, stringData: { username: 'root' } }));
    expect(read.data).toEqual({ token: 'dA==', username: 'cm9vdA==' });
    expect(secretValue(read, 'username')).toBe('root');
    expect(secretValue(read, 'token')).toBe('t');
    expect(secretValue(read, 'password')).toBeUndefined();
    expect(secretValue(read, 'constructor')).toBeUndefined();
  });

  it('refuses a data value that is not base64, naming the key and the byte, as the API server does', () => {
    expect(refusal({ data: { password: 'mesh-mall' } })).toBe('data[password]: illegal base64 data at input byte 4');
    expect(refusal({ data: { password: 'cm9vdA' } })).toBe('data[password]: illegal base64 data at input byte 4');
  });

  it('refuses keys the API server does not take (IsConfigMapKey), data and stringData alike', () => {
    expect(refusal({ stringData: { 'user name': 'root' } })).toBe(`data[user name]: Invalid value: "user name": ${CONFIG_KEY_MESSAGE}`);
    expect(refusal({ data: { '..x': 'QQ==' } })).toBe(`data[..x]: Invalid value: "..x": must not start with '..'`);
    expect(refusal({ stringData: { '.': 'a' } })).toBe(`data[.]: Invalid value: ".": must not be '.'`);
    expect(refusal({ stringData: { ['k'.repeat(254)]: 'a' } })).toBe(`data[${'k'.repeat(254)}]: Invalid value: "${'k'.repeat(254)}": must be no more than 253 characters`);
    expect(refusal({ stringData: { 'a/b': 'x', 'c d': 'y' } })).toBe(
      `data[a/b]: Invalid value: "a/b": ${CONFIG_KEY_MESSAGE}; data[c d]: Invalid value: "c d": ${CONFIG_KEY_MESSAGE}`,
    );
  });

  it('refuses more than 1 MiB of data, unknown fields, and the built-in types it does not implement', () => {
    expect(refusal({ stringData: { a: 'x'.repeat(1024 * 1024), b: 'y' } })).toBe('data: Too long: must have at most 1048576 bytes');
    expect(readSecret(secret({ stringData: { a: 'x'.repeat(1024 * 1024) } })).data.a).toHaveLength(1398104);
    expect(refusal({ stringdata: { a: 'b' } })).toBe('unknown field "stringdata"');
    expect(refusal({ data: { a: 1 } })).toBe('data.a: Invalid input: expected string, received number');
    expect(refusal({ type: 'kubernetes.io/tls', data: { 'tls.crt': '', 'tls.key': '' } })).toBe(
      'type: kubernetes.io/tls is not supported by the local runtime (valid on a cluster)',
    );
  });
});

describe('secretUpdateErrors (ValidateSecretUpdate)', () => {
  const stored = readSecret(secret({ stringData: { a: 'x' } }));
  const with_ = (fields: Partial<SecretManifest>): SecretManifest => ({ ...stored, ...fields });

  it('lets the data change, but not the type', () => {
    expect(secretUpdateErrors(with_({ data: { a: 'eQ==' } }), stored)).toEqual([]);
    expect(secretUpdateErrors(with_({ type: 'example.com/other' }), stored)).toEqual(['type: Invalid value: "example.com/other": field is immutable']);
  });

  it('once immutable, refuses any change of the data or of immutable itself', () => {
    const frozen = with_({ immutable: true });
    expect(secretUpdateErrors(with_({ immutable: true }), frozen)).toEqual([]);
    expect(secretUpdateErrors(with_({ immutable: true, data: { a: 'eQ==' } }), frozen)).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
    expect(secretUpdateErrors(stored, frozen)).toEqual(['immutable: Forbidden: field is immutable when `immutable` is set']);
  });
});
