import { defineConfig } from 'vitest/config';

// One run for the whole workspace: unit tests beside the code, multi-process
// suites under test/. Every suite starts its own redis-server and emulator on
// free ports, so files run in parallel.
export default defineConfig({
  resolve: { conditions: ['godot-source'] },
  ssr: { resolve: { conditions: ['godot-source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
