import { mkdtemp, readFile, appendFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirError, FileUserRepository } from './file-repository.js';

const freshDir = () => mkdtemp(join(tmpdir(), 'users-'));

describe('FileUserRepository', () => {
  it('refuses a DATA_DIR it cannot create, naming the variable, the directory and the system error', async () => {
    const file = join(await freshDir(), 'not-a-directory');
    await writeFile(file, '');
    const refused = await FileUserRepository.open(join(file, 'data')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirError);
    expect((refused as Error).message).toBe(
      `DATA_DIR=${join(file, 'data')} cannot hold the embedded users store (ENOTDIR: not a directory, mkdir '${join(file, 'data')}'); ` +
        'point DATA_DIR at a writable directory (in a container: a mounted volume, as install/ mounts an emptyDir at /data)',
    );
  });

  it('creates a user once and finds it by name', async () => {
    const users = await FileUserRepository.open(await freshDir());
    const first = await users.create('jason');
    const again = await users.create('jason');
    expect(first).toMatchObject({ created: true, user: { name: 'jason', image: '/assets/avatars/jason.svg' } });
    expect(again).toEqual({ created: false, user: first.user });
    expect(await users.findByName('jason')).toEqual(first.user);
    expect(await users.findByName('fox')).toBeNull();
    await users.close();
  });

  it('keeps users across a restart', async () => {
    const dir = await freshDir();
    const before = await FileUserRepository.open(dir);
    const { user } = await before.create('jason');
    await before.close();
    const after = await FileUserRepository.open(dir);
    expect(await after.findByName('jason')).toEqual(user);
    await after.close();
  });

  it('makes one user of concurrent logins with the same new name', async () => {
    const users = await FileUserRepository.open(await freshDir());
    const results = await Promise.all(Array.from({ length: 10 }, () => users.create('fox')));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.user.id)).size).toBe(1);
    await users.close();
  });

  it('sees users another replica wrote, and the first line of a name wins', async () => {
    const dir = await freshDir();
    const one = await FileUserRepository.open(dir);
    const two = await FileUserRepository.open(dir);
    const made = await one.create('jason');
    expect(await two.findByName('jason')).toEqual(made.user);
    expect(await two.create('jason')).toEqual({ created: false, user: made.user });
    await Promise.all([one.close(), two.close()]);
  });

  it('skips a torn last line left by a crash and keeps everything before it', async () => {
    const dir = await freshDir();
    const users = await FileUserRepository.open(dir);
    await users.create('jason');
    await users.close();
    await appendFile(join(dir, 'users.jsonl'), '{"id":"x","name":"fo');
    const reopened = await FileUserRepository.open(dir);
    expect(await reopened.findByName('jason')).not.toBeNull();
    expect((await reopened.create('fox')).created).toBe(true);
    await reopened.close();
    const lines = (await readFile(join(dir, 'users.jsonl'), 'utf8')).split('\n');
    expect(lines.some((l) => l.includes('"fox"'))).toBe(true);
  });
});
