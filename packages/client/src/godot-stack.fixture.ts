import { randomUUID } from 'node:crypto';
import { type GodotServer, startGodotServer } from '@godot/server';
import { type Config, loadConfig, silentLogger } from '@godot/shared';
import { DeweyEmulator, freePort, RedisServer } from '@godot/testkit';
import { type GodotWorker, startGodotWorker } from '@godot/worker';

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

export async function startGodotStack(): Promise<GodotStack> {
  const [redis, dewey, port] = await Promise.all([
    RedisServer.start(),
    DeweyEmulator.start(),
    freePort(),
  ]);
  const config: Config = {
    ...loadConfig({}),
    PORT: port,
    HOST: '127.0.0.1',
    WORKER_PORT: 0,
    REDIS_URL: redis.url,
    DEWEY_URL: dewey.url,
    QUEUE_NAME: `client-${randomUUID().slice(0, 8)}`,
  };
  let server: GodotServer | undefined = await startGodotServer(config, { logger: silentLogger });
  const worker: GodotWorker = await startGodotWorker(config, { logger: silentLogger });
  return {
    url: `ws://127.0.0.1:${port}/`,
    dewey,
    async stopServer() {
      await server?.close();
      server = undefined;
    },
    async startServer() {
      server = await startGodotServer(config, { logger: silentLogger });
    },
    async close() {
      await Promise.all([server?.close(), worker.close()]);
      await Promise.all([redis.close(), dewey.close()]);
    },
  };
}
