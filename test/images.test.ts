import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './support/mesh-mall.js';

// What the recipe promises, checked on every `npm test`; `npm run test:images` (test/images/) builds and runs the images.
const read = (file: string) => readFile(join(REPO_ROOT, file), 'utf8');

describe('images', () => {
  it('one multi-stage Dockerfile: Node 24 slim, production dependencies of one service, non-root', async () => {
    const dockerfile = await read('Dockerfile');
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-[a-z]+-slim$/m);
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm ci --ignore-scripts --omit=dev --workspace="@mesh-mall\/\$\{SERVICE\}"/);
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    // By number: runAsNonRoot can be verified from the image alone.
    expect(finalStage).toMatch(/^USER 1000:1000$/m);
    expect(finalStage).not.toMatch(/COPY --from=build \/src\/(services|packages)\/[^ ]*\/src/);
    expect(finalStage).toMatch(/^CMD \["node", "--import", "@mesh-mall\/kit\/telemetry", "dist\/main.js"\]$/m);
  });

  it("no frontend to pull, the build stage on the builder's platform, and one dependency layer for every service", async () => {
    const dockerfile = await read('Dockerfile');
    expect(dockerfile).not.toMatch(/^# *syntax=/m);
    expect(dockerfile).toMatch(/^FROM --platform=\$BUILDPLATFORM \$\{NODE_IMAGE\} AS build$/m);
    const install = dockerfile.indexOf('RUN npm ci --ignore-scripts\n');
    const before = dockerfile.slice(0, install);
    // Every workspace's manifest is in place before the install, and nothing else of the tree; SERVICE comes after it.
    const root = JSON.parse(await read('package.json')) as { workspaces: string[] };
    const workspaces: string[] = [];
    for (const pattern of root.workspaces) {
      if (!pattern.endsWith('/*')) workspaces.push(pattern);
      else for (const name of await readdir(join(REPO_ROOT, pattern.slice(0, -2)))) workspaces.push(`${pattern.slice(0, -1)}${name}`);
    }
    for (const workspace of workspaces) expect(before, workspace).toContain(`COPY ${workspace}/package.json ${workspace}/\n`);
    expect(before).not.toMatch(/^COPY \. \./m);
    expect(before).not.toMatch(/^ARG SERVICE$/m);
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
    // A guard, not a claim: the filter found the production tree (the count moves with every dependency update).
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

  describe('npm run images (scripts/images.sh, with docker and kind stood in by scripts that record their arguments)', () => {
    async function runImages(...args: string[]) {
      const dir = await mkdtemp(join(tmpdir(), 'mesh-mall-images-script-'));
      await cp(join(REPO_ROOT, 'scripts'), join(dir, 'scripts'), { recursive: true });
      await cp(join(REPO_ROOT, 'install'), join(dir, 'install'), { recursive: true });
      for (const service of await readdir(join(REPO_ROOT, 'services'))) await mkdir(join(dir, 'services', service), { recursive: true });
      const bin = join(dir, 'bin');
      await mkdir(bin);
      for (const tool of ['docker', 'kind']) {
        await writeFile(join(bin, tool), `#!/bin/sh\necho "${tool} $*" >> "${join(dir, 'calls')}"\n`, { mode: 0o755 });
      }
      const result = await promisify(execFile)('bash', [join(dir, 'scripts/images.sh'), ...args], { env: { PATH: `${bin}:${process.env.PATH}` } }).then(
        (r) => ({ code: 0, stderr: r.stderr }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      );
      const calls = await readFile(join(dir, 'calls'), 'utf8').then((t) => t.trim().split('\n'), () => [] as string[]);
      return { dir, ...result, calls, component: await readFile(join(dir, 'install/images/kustomization.yaml'), 'utf8') };
    }

    it('without --push or --load: the usage, exit 2, nothing built', async () => {
      const { code, stderr, calls } = await runImages();
      expect(code).toBe(2);
      expect(stderr).toContain('npm run images -- --push REGISTRY');
      expect(calls).toEqual([]);
    });

    it('--push: each service install/ runs, both architectures, one immutable tag; install/images names them', async () => {
      const { code, calls, component, dir } = await runImages('--push', 'registry.example.com/team', '--tag', '1.2.3');
      expect(code).toBe(0);
      const services = ['discount', 'favorites', 'mall', 'products', 'recommend', 'scores', 'users'];
      expect(calls).toEqual(
        services.map((s) => `docker buildx build --platform linux/amd64,linux/arm64 --build-arg SERVICE=${s} --tag registry.example.com/team/mesh-mall/${s}:1.2.3 --push .`),
      );
      for (const s of services) expect(component).toContain(`  - name: mesh-mall/${s}\n    newName: registry.example.com/team/mesh-mall/${s}\n    newTag: "1.2.3"\n`);
      const { stdout } = await promisify(execFile)('kubectl', ['kustomize', join(dir, 'install')], { maxBuffer: 16 * 1024 * 1024 });
      expect(stdout).toContain('image: registry.example.com/team/mesh-mall/users:1.2.3');
    });

    it('--load kind: built here, tagged with the build and with each version install/ names, side-loaded into kind', async () => {
      const { code, calls, component } = await runImages('--load', 'kind', '--tag', 'b1');
      expect(code).toBe(0);
      expect(calls).toContain('docker build --load --build-arg SERVICE=recommend --tag docker.io/mesh-mall/recommend:b1 --tag docker.io/mesh-mall/recommend:v1 --tag docker.io/mesh-mall/recommend:v2 --tag docker.io/mesh-mall/recommend:v3 .');
      expect(calls).toContain('kind load docker-image docker.io/mesh-mall/recommend:v3');
      expect(calls).toContain('kind load docker-image docker.io/mesh-mall/recommend:b1');
      expect(component).toContain('  - name: mesh-mall/recommend\n    newName: mesh-mall/recommend\n    newTag: "b1"\n');
    });
  });
});
