import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@mesh-mall/kit/testing';
import { describe, expect, it } from 'vitest';
import { buildApp } from './app.js';
import { FileUserRepository } from './file-repository.js';

async function app() {
  const users = await FileUserRepository.open(await mkdtemp(join(tmpdir(), 'users-app-')));
  return { app: await buildApp(silentLogger, users), users };
}

describe('users API', () => {
  it('POST creates (201), repeats answer 200 with the same user, GET finds it', async () => {
    const { app: users } = await app();
    const created = await users.inject({ method: 'POST', url: '/users', payload: { name: 'jason' } });
    expect(created.statusCode).toBe(201);
    const again = await users.inject({ method: 'POST', url: '/users', payload: { name: 'jason' } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(created.json());
    const found = await users.inject({ method: 'GET', url: '/users?name=jason' });
    expect(found.statusCode).toBe(200);
    expect(found.json()).toEqual(created.json());
  });

  it('answers 404 with a JSON message for an unknown name', async () => {
    const { app: users } = await app();
    const response = await users.inject({ method: 'GET', url: '/users?name=ghost' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'Not Found', message: 'no user named ghost' });
  });

  it.each([
    ['a path', { name: '../x' }],
    ['a long name', { name: 'a'.repeat(500) }],
    ['an operator object', { name: { $gt: '' } }],
    ['upper case', { name: 'Jason' }],
    ['no name', {}],
    ['an array', ['jason']],
  ])('refuses %s with 400 and stores nothing', async (_, payload) => {
    const { app: users, users: repository } = await app();
    const response = await users.inject({ method: 'POST', url: '/users', payload });
    expect(response.statusCode).toBe(400);
    expect(response.json().message).toMatch(/name|body/);
    expect(await repository.findByName('jason')).toBeNull();
  });

  it('refuses bad lookups and bodies that are not JSON', async () => {
    const { app: users } = await app();
    for (const url of ['/users', '/users?name=', '/users?name=a&name=b', '/users?name[$ne]=x']) {
      expect((await users.inject({ method: 'GET', url })).statusCode, url).toBe(400);
    }
    const notJson = await users.inject({ method: 'POST', url: '/users', headers: { 'content-type': 'application/json' }, payload: 'nope' });
    expect(notJson.statusCode).toBe(400);
  });
});
