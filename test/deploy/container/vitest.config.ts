import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// `pnpm container:test` (docs/deploy.md#the-container-test): builds and runs
// the image with podman, so it stays out of `pnpm test` (whose include is
// *.test.ts) and runs alone, after it, in .ci/run. One file, its tests in order.
export default defineConfig({
  root: resolve(import.meta.dirname, '../../..'),
  resolve: { conditions: ['godot-source'] },
  ssr: { resolve: { conditions: ['godot-source'] } },
  test: {
    include: ['test/deploy/container/*.podman.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
