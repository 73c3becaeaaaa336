import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/mesh-mall.js';

// No Docker engine runs on our machines, so the image recipe is checked for what it promises instead of being built.
const read = (file: string) => readFile(join(REPO_ROOT, file), 'utf8');

describe('images', () => {
  it('one multi-stage Dockerfile: Node 24 slim, production dependencies of one service, non-root', async () => {
    const dockerfile = await read('Dockerfile');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-[a-z]+-slim$/m);
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm ci --ignore-scripts --omit=dev --workspace="@mesh-mall\/\$\{SERVICE\}"/);
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(finalStage).toMatch(/^USER node$/m);
    expect(finalStage).not.toMatch(/COPY --from=build \/src\/(services|packages)\/[^ ]*\/src/);
    expect(finalStage).toMatch(/^CMD \["node", "--import", "@mesh-mall\/kit\/telemetry", "dist\/main.js"\]$/m);
  });

  it('every service builds from it: a package with an entry the image runs', async () => {
    for (const service of await readdir(join(REPO_ROOT, 'services'))) {
      const manifest = JSON.parse(await read(`services/${service}/package.json`)) as { name: string; main: string; scripts: Record<string, string> };
      expect(manifest, service).toMatchObject({ name: `@mesh-mall/${service}`, main: 'dist/main.js' });
      expect(manifest.scripts.build, service).toBeDefined();
    }
  });

  it('no production dependency is a native addon, so amd64 and arm64 images build alike', async () => {
    const lock = JSON.parse(await read('package-lock.json')) as { packages: Record<string, { dev?: boolean; link?: boolean }> };
    const production = Object.entries(lock.packages).filter(([path, p]) => path.startsWith('node_modules/') && !p.dev && !p.link);
    expect(production.length).toBeGreaterThan(50);
    const native: string[] = [];
    for (const [path] of production) {
      const files = await readdir(join(REPO_ROOT, path), { recursive: true }).catch(() => [] as string[]);
      if (files.some((f) => f.endsWith('binding.gyp') || f.endsWith('.node'))) native.push(path);
    }
    expect(native).toEqual([]);
  });

  it('the build context leaves out what the image makes itself', async () => {
    const ignored = (await read('.dockerignore')).split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['**/node_modules', '**/dist', '.mesh-mall', '.git']));
  });

  it('npm run images tags each service with the versions install/ uses, for both architectures', async () => {
    const script = await read('scripts/images.sh');
    expect(script).toContain('linux/amd64,linux/arm64');
    expect(script).toContain('docker buildx build');
    await promisify(execFile)('bash', ['-n', join(REPO_ROOT, 'scripts/images.sh')]);
    const missing = await promisify(execFile)('bash', [join(REPO_ROOT, 'scripts/images.sh')], { env: { PATH: process.env.PATH } }).catch((e: { stderr: string }) => e);
    expect((missing as { stderr: string }).stderr).toContain('set MESH_MALL_REGISTRY');
  });
});
