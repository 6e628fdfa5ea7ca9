import { createServer, type Server, type Socket } from 'node:net';
import { decodeText, resultReply } from '@godot/wire';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { GodotConnection, MAX_CONNECT_TIMEOUT_MS } from './godot-connection.js';
import { createGodotLogger } from './godot-logger.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A plain TCP server on `port` (0: any) that accepts and never says a word. */
async function startSilentServer(port = 0) {
  const sockets = new Set<Socket>();
  const accepted: Array<{ openedAt: number; closedAt?: number }> = [];
  const server: Server = createServer((socket) => {
    const record: { openedAt: number; closedAt?: number } = { openedAt: performance.now() };
    accepted.push(record);
    sockets.add(socket);
    socket.resume(); // Read the HTTP upgrade request, answer nothing.
    socket.on('close', () => {
      record.closedAt = performance.now();
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return { port: (server.address() as { port: number }).port, accepted, stop };
}

/** A `ws` server on `port` that answers like Godot: `initialize`, and `logger_log` queued. */
async function startFakeGodot(port: number) {
  const messages: string[] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  wss.on('connection', (socket) => {
    socket.on('message', (data) => {
      const request = JSON.parse(decodeText(data)) as {
        id: number;
        method: string;
        params?: { arguments?: { message?: string } };
      };
      if (request.method === 'tools/call')
        messages.push(String(request.params?.arguments?.message));
      const text = JSON.stringify({ queued: true, id: String(request.id) });
      socket.send(JSON.stringify(resultReply({ content: [{ type: 'text', text }] }, request.id)));
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  );
  return { messages };
}

describe('GodotConnection connect timeout', () => {
  it('gives up an attempt against a server that accepts TCP and never answers, within 1 s; the logger keeps working', async () => {
    const silent = await startSilentServer();
    const logger = createGodotLogger({
      url: `ws://127.0.0.1:${silent.port}`,
      component: 'connect-timeout-test',
      reconnect: { initialDelayMs: 50, maxDelayMs: 100 },
    });
    cleanups.push(() => logger.close());
    logger.info('while Godot hangs');

    // The client hangs up each attempt itself, within the bound (default 1000 ms).
    await expect
      .poll(() => silent.accepted[0]?.closedAt, { timeout: 3000, interval: 20 })
      .toBeDefined();
    const first = silent.accepted[0] as { openedAt: number; closedAt: number };
    expect(first.closedAt - first.openedAt).toBeLessThanOrEqual(MAX_CONNECT_TIMEOUT_MS + 150);
    expect(first.closedAt - first.openedAt).toBeGreaterThanOrEqual(MAX_CONNECT_TIMEOUT_MS - 50);
    // …and tries again.
    await expect
      .poll(() => silent.accepted.length, { timeout: 3000, interval: 20 })
      .toBeGreaterThan(1);

    // The logger still takes entries, and delivers them all once a Godot answers.
    logger.info('after the hang');
    expect(logger.stats()).toMatchObject({ acked: 0 });
    await silent.stop();
    const godot = await startFakeGodot(silent.port);
    expect(await logger.flush(5000)).toBe(true);
    expect(godot.messages).toEqual(['while Godot hangs', 'after the hang']);
    expect(logger.stats()).toMatchObject({ acked: 2, dropped: 0 });
  });

  it('gives up within a shorter connectTimeoutMs, and refuses one above 1 s', async () => {
    const silent = await startSilentServer();
    cleanups.push(silent.stop);
    const downs: number[] = [];
    const connection = new GodotConnection(
      {
        url: `ws://127.0.0.1:${silent.port}`,
        token: undefined,
        reconnect: { initialDelayMs: 10_000, maxDelayMs: 10_000 },
        connectTimeoutMs: 200,
      },
      { ready: () => {}, reply: () => {}, down: () => downs.push(performance.now()) },
    );
    cleanups.push(() => connection.close());
    const started = performance.now();
    connection.start();
    await expect.poll(() => downs.length, { timeout: 2000, interval: 10 }).toBe(1);
    expect((downs[0] as number) - started).toBeLessThan(200 + 150);
    expect(connection.ready).toBe(false);

    const options = {
      url: 'ws://127.0.0.1:1',
      token: undefined,
      reconnect: { initialDelayMs: 1, maxDelayMs: 1 },
    };
    const handlers = { ready: () => {}, reply: () => {}, down: () => {} };
    expect(() => new GodotConnection({ ...options, connectTimeoutMs: 1001 }, handlers)).toThrow(
      RangeError,
    );
    expect(() => new GodotConnection({ ...options, connectTimeoutMs: 0 }, handlers)).toThrow(
      RangeError,
    );
  });
});
