import type { DeweyEmulator } from '@godot/testkit';
import { freePort } from '@godot/testkit';
import { TestStack } from '../../../test/support/stack/test-stack.js';

/** A real Godot (server + worker in this process) on a private Redis, storing into the emulator. */
export interface GodotStack {
  url: string;
  dewey: DeweyEmulator;
  /** Closes the server only (its port is kept for `startServer`). */
  stopServer(): Promise<void>;
  /** Starts the server again on the same port. */
  startServer(): Promise<void>;
  close(): Promise<void>;
}

/** Starts Redis, the emulator, a server on a port of its own and a worker, all in this process. */
export async function startGodotStack(): Promise<GodotStack> {
  const [stack, port] = await Promise.all([TestStack.start({ queuePrefix: 'client' }), freePort()]);
  let server = await stack.startServer({ PORT: port });
  await stack.startWorker();
  return {
    url: `ws://127.0.0.1:${port}/`,
    dewey: stack.dewey,
    stopServer: () => server.close(),
    async startServer() {
      server = await stack.startServer({ PORT: port });
    },
    close: () => stack.close(),
  };
}
