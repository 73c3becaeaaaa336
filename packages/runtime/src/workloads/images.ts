import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Our images are named `[registry/…/]mesh-mall/<service>:<tag>`, one per service package. The local runtime runs
 * such a container as that package's built entry point; any other image (MongoDB, Jaeger) is not ours to run.
 */
const OUR_IMAGE = /^(?:[^/]+\/)*mesh-mall\/([a-z0-9-]+)(?::[\w.-]+)?(?:@sha256:[\da-f]{64})?$/;

export interface ServicePackage {
  service: string;
  directory: string;
  entry: string;
}

export function serviceOfImage(image: string): string | undefined {
  return OUR_IMAGE.exec(image)?.[1];
}

/** The package that runs `image`, or undefined when the image is not one of ours or has no package. */
export function packageForImage(image: string, servicesDir: string): ServicePackage | undefined {
  const service = serviceOfImage(image);
  if (!service) return undefined;
  const directory = join(servicesDir, service);
  const manifestPath = join(directory, 'package.json');
  if (!existsSync(manifestPath)) return undefined;
  const { main } = JSON.parse(readFileSync(manifestPath, 'utf8')) as { main?: string };
  return { service, directory, entry: join(directory, main ?? 'dist/main.js') };
}
