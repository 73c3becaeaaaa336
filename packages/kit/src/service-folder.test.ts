import { afterEach, describe, expect, it, vi } from 'vitest';
import { serviceFolder } from './service-folder.js';

afterEach(() => vi.restoreAllMocks());

describe('the service a process runs, by its entry’s folder', () => {
  it('is the folder above dist/', () => {
    expect(serviceFolder('/app/services/recommend/dist/main.js')).toBe('recommend');
    expect(serviceFolder('services/users/dist/main.js')).toBe('users');
  });

  it('is read from the process’s entry by default', () => {
    vi.spyOn(process, 'argv', 'get').mockReturnValue(['node', '/app/services/discount/dist/main.js']);
    expect(serviceFolder()).toBe('discount');
  });

  it('is unknown without an entry, or with one at the root', () => {
    vi.spyOn(process, 'argv', 'get').mockReturnValue(['node']);
    expect(serviceFolder()).toBeUndefined();
    expect(serviceFolder('')).toBeUndefined();
    expect(serviceFolder('/main.js')).toBeUndefined();
  });
});
