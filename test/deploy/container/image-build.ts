/**
 * Builds the Godot image for the container test: the production
 * Dockerfile, on node:20-bookworm-slim where it can be pulled
 * (GODOT_NODE_IMAGE) and on scripts/container-base.sh's cached stand-in
 * everywhere else, passed in as the NODE_IMAGE build argument.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Podman } from './podman.js';

/** Options of {@link buildGodotImage}. */
export interface BuildOptions {
  /** The repository root: the build context. */
  root: string;
  /** Tag of the image built. */
  tag: string;
  /** File the build's output is appended to. */
  logPath: string;
  /** A base to pull instead of the stand-in (e.g. `node:20-bookworm-slim`). @default the stand-in */
  nodeImage?: string;
}

/** What a build took and made. */
export interface BuildReport {
  /** The base image used. */
  base: string;
  /** Seconds to get the base (a cached stand-in: well under one). */
  baseSeconds: number;
  /** Seconds `podman build` took. */
  buildSeconds: number;
  /** The image's size as podman reports it. */
  bytes: number;
}

/** Rejects unless `port` can be listened on at `host` right now. */
export function requirePortFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `port ${port} on ${host} is taken (${error.code}); the container runs with host ` +
            `networking and needs it: stop what listens there (ss -ltnp 'sport = :${port}')`,
        ),
      ),
    );
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/** Runs scripts/container-base.sh; resolves with the image name it prints. */
function standInBase(root: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      join(root, 'scripts/container-base.sh'),
      { env, timeout: 15 * 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        for (const line of stderr.split('\n').filter((l) => l.startsWith('container-base:')))
          console.log(line);
        if (error)
          reject(new Error(`scripts/container-base.sh failed: ${error.message}\n${stderr}`));
        else resolve(stdout.trim());
      },
    );
  });
}

const since = (startMs: number) => (performance.now() - startMs) / 1000;

/** Gets the base, builds the image, and measures both. */
export async function buildGodotImage(podman: Podman, options: BuildOptions): Promise<BuildReport> {
  let started = performance.now();
  const base = options.nodeImage || (await standInBase(options.root, podman.env));
  const baseSeconds = since(started);
  started = performance.now();
  await podman.runLogged(
    'podman',
    [
      'build',
      // No intermediate images to clean up: the image is removed after the
      // test, and only the base is worth caching.
      '--layers=false',
      // Docker's format keeps the HEALTHCHECK (OCI's has none).
      '--format=docker',
      // The build stage needs the npm registry, the runtime stage Debian's mirror.
      '--network=host',
      `--pull=${options.nodeImage ? 'missing' : 'never'}`,
      `--build-arg=NODE_IMAGE=${base}`,
      `--tag=${options.tag}`,
      options.root,
    ],
    options.logPath,
  );
  const buildSeconds = since(started);
  const size = await podman.run(['image', 'inspect', '--format={{.Size}}', options.tag]);
  return { base, baseSeconds, buildSeconds, bytes: Number(size.trim()) };
}
