import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort, RawWsClient, toolPayload } from '@godot/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerStack, startServerStack } from './server.fixture.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

function launch(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--conditions=godot-source', '--import', 'tsx', MAIN], {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, output: () => output };
}

describe('the server process', () => {
  let stack: ServerStack;
  beforeAll(async () => {
    stack = await startServerStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('exits 2 naming the variable when the configuration is bad', async () => {
    const server = launch({ BATCH_SIZE: '5000' });
    expect(await server.exit).toBe(2);
    expect(server.output()).toContain('invalid configuration: BATCH_SIZE: must be at most 1000');
  });

  it('on SIGTERM answers the calls in flight, exits 0, and every acknowledged entry is queued', async () => {
    const port = await freePort();
    const server = launch({
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: stack.config.REDIS_URL,
      DEWEY_URL: stack.config.DEWEY_URL,
      QUEUE_NAME: stack.config.QUEUE_NAME,
    });
    await expect.poll(server.output, { timeout: 20_000 }).toContain('server listening');
    const socket = await RawWsClient.connect(`ws://127.0.0.1:${port}`);
    const calls = Array.from({ length: 200 }, (_, i) =>
      socket
        .request('tools/call', {
          name: 'logger_log',
          arguments: { component: 'sig', level: 'INFO', message: `${i}` },
        })
        .then((reply) => (toolPayload(reply) as { id: string }).id)
        .catch(() => undefined),
    );
    // Once the first is answered the rest are in flight: stop now.
    expect(await calls[0]).toBeDefined();
    server.child.kill('SIGTERM');
    const ids = (await Promise.all(calls)).filter((id): id is string => id !== undefined);
    expect(await server.exit).toBe(0);
    expect(server.output()).toContain('server stopped');
    const queued = await Promise.all(ids.map((id) => stack.queue.getJob(id)));
    expect(queued.every((job) => job !== undefined)).toBe(true);
  });
});
