import { createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { inspect } from 'node:util';
import { DeweyEmulator, freePort } from '@godot/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { WebSocketClientTransport } from '../transport/websocket-client-transport.js';
import type { Logger } from '../util/logger.js';
import { DeweyConnection, type DeweyConnectionOptions } from './dewey-connection.js';
import { DeweyUnavailableError } from './dewey-errors.js';

// Each test owns its emulator and connection; afterEach closes both.
let dewey: DeweyEmulator | undefined;
let connection: DeweyConnection | undefined;

afterEach(async () => {
  await connection?.close();
  await dewey?.close();
  connection = undefined;
  dewey = undefined;
});

/** A real emulator and a connection to it that records when each attempt starts. */
async function setUp(options: Partial<DeweyConnectionOptions> = {}) {
  const emulator = await DeweyEmulator.start();
  const attempts: number[] = [];
  const conn = new DeweyConnection({
    url: emulator.url,
    reconnectInitialDelayMs: 200,
    reconnectMaxDelayMs: 400,
    createTransport: (url, connectTimeoutMs) => {
      attempts.push(performance.now());
      return new WebSocketClientTransport(url, { connectTimeoutMs });
    },
    ...options,
  });
  dewey = emulator;
  connection = conn;
  return { dewey: emulator, connection: conn, attempts };
}

describe('DeweyConnection background reconnect', () => {
  it('keeps reconnecting by itself after a get() failed while a reconnect was pending', async () => {
    let lost = () => {};
    const down = new Promise<void>((resolve) => {
      lost = resolve;
    });
    const { dewey: emulator, connection: conn } = await setUp({
      onStatusChange: (up) => {
        if (!up) lost();
      },
    });
    await conn.get();
    await emulator.stop();
    await down;
    // The loss scheduled a background attempt (>= 100 ms away); this call
    // fails at once (connection refused) while that attempt is still pending.
    const error = await conn.get().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeweyUnavailableError);
    expect((error as DeweyUnavailableError).reason).toBe('connect');
    expect(conn.consecutiveFailures).toBe(2);
    await emulator.start();
    // No further call: the background attempts alone must bring it back.
    await expect.poll(() => conn.isUp, { timeout: 5000, interval: 50 }).toBe(true);
  });
});

describe('DeweyConnection.waitUntilUp', () => {
  it('makes the first attempt itself, one for all waiters', async () => {
    const { connection: conn, attempts } = await setUp();
    await Promise.all([conn.waitUntilUp(), conn.waitUntilUp(), conn.waitUntilUp()]);
    expect(conn.isUp).toBe(true);
    expect(attempts).toHaveLength(1);
    // Already up: resolves without a new attempt.
    await conn.waitUntilUp();
    expect(attempts).toHaveLength(1);
  });

  it('waits on the background attempts, not a loop of its own, and resolves when Dewey returns', async () => {
    const {
      dewey: emulator,
      connection: conn,
      attempts,
    } = await setUp({
      reconnectInitialDelayMs: 100,
      reconnectMaxDelayMs: 200,
    });
    await emulator.stop();
    let resolved = false;
    const up = conn.waitUntilUp().then(() => {
      resolved = true;
    });
    await sleep(800);
    expect(resolved).toBe(false);
    // Delays of 50…200 ms: a handful of attempts, where a tight loop makes hundreds.
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.length).toBeLessThanOrEqual(20);
    // Every finished attempt counted (the last may still be under way).
    expect(conn.consecutiveFailures).toBeGreaterThanOrEqual(attempts.length - 1);
    await emulator.start();
    await up;
    expect(conn.isUp).toBe(true);
  });

  it('rejects pending and later waits with DeweyUnavailableError(closed) on close', async () => {
    const { dewey: emulator, connection: conn } = await setUp();
    await emulator.stop();
    const pending = conn.waitUntilUp().catch((caught: unknown) => caught);
    await conn.close();
    const error = await pending;
    expect(error).toBeInstanceOf(DeweyUnavailableError);
    expect((error as DeweyUnavailableError).reason).toBe('closed');
    await expect(conn.waitUntilUp()).rejects.toMatchObject({ reason: 'closed' });
    await expect(conn.get()).rejects.toMatchObject({ reason: 'closed' });
  });

  it("rejects with the signal's reason when aborted, and reconnecting goes on", async () => {
    const { dewey: emulator, connection: conn } = await setUp({
      reconnectInitialDelayMs: 50,
      reconnectMaxDelayMs: 100,
    });
    await emulator.stop();
    const controller = new AbortController();
    const pending = conn.waitUntilUp(controller.signal);
    const reason = new Error('shutting down');
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(conn.waitUntilUp(controller.signal)).rejects.toBe(reason);
    await emulator.start();
    await expect.poll(() => conn.isUp, { timeout: 5000, interval: 50 }).toBe(true);
  });
});

describe('DeweyConnection keeps credentials in its URL out of errors and logs', () => {
  /** A logger that keeps every line as text, message and fields together. */
  function recordingLogger(): { logger: Logger; lines: string[] } {
    const lines: string[] = [];
    const record = (obj: object, msg?: string) => lines.push(`${msg ?? ''} ${JSON.stringify(obj)}`);
    return { logger: { debug: record, info: record, warn: record, error: record }, lines };
  }
  const withSecrets = (port: number) => `ws://godot:s3cret@127.0.0.1:${port}/?token=s3cret&db=1`;

  it('connection refused: the error (which logger_query replies quote) shows the URL redacted', async () => {
    const { logger, lines } = recordingLogger();
    connection = new DeweyConnection({ url: withSecrets(await freePort()), logger });
    const error = await connection.get().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeweyUnavailableError);
    const text = (error as Error).message;
    expect(text).toMatch(
      /^cannot connect to Dewey at ws:\/\/godot:\*\*\*@127\.0\.0\.1:\d+\/\?token=\*\*\*&db=1: /,
    );
    expect(text).not.toContain('s3cret');
    expect(lines.join('\n')).not.toContain('s3cret');
  });

  it('handshake timeout: the transport error is described without its URL', async () => {
    // Accepts TCP and never answers the HTTP upgrade.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      connection = new DeweyConnection({ url: withSecrets(port), connectTimeoutMs: 200 });
      const error = await connection.get().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DeweyUnavailableError);
      expect((error as Error).message).toContain('did not finish within 200 ms');
      expect((error as Error).message).not.toContain('s3cret');
    } finally {
      await connection?.close();
      connection = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('a refused connect to ?access_token=S shows S nowhere: message, cause chain or log', async () => {
    const { logger, lines } = recordingLogger();
    const secret = 'S3cr3tT0k3n';
    connection = new DeweyConnection({
      url: `ws://127.0.0.1:${await freePort()}/?access_token=${secret}`,
      logger,
    });
    const error = await connection.get().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeweyUnavailableError);
    expect((error as Error).message).toContain('?access_token=***');
    // `inspect` prints the message, stack, own fields and every `cause` below.
    const printed = inspect(error, { depth: Number.POSITIVE_INFINITY });
    expect(printed).toContain('ECONNREFUSED');
    expect(printed).not.toContain(secret);
    expect(lines.join('\n')).not.toContain(secret);
  });

  it('connection lost and reconnected: the log lines show the URL redacted', async () => {
    const { logger, lines } = recordingLogger();
    dewey = await DeweyEmulator.start();
    connection = new DeweyConnection({
      url: withSecrets(dewey.port),
      reconnectInitialDelayMs: 50,
      reconnectMaxDelayMs: 100,
      logger,
    });
    await connection.get();
    await dewey.stop();
    await expect.poll(() => connection?.isUp, { timeout: 5000, interval: 20 }).toBe(false);
    await dewey.start();
    await expect.poll(() => connection?.isUp, { timeout: 5000, interval: 20 }).toBe(true);
    const log = lines.join('\n');
    expect(log).toContain('dewey: connection lost');
    expect(log).toContain('dewey: reconnected');
    expect(log).toContain('godot:***@127.0.0.1');
    expect(log).not.toContain('s3cret');
  });
});

describe('DeweyConnection gives up a connect attempt with a clear error', () => {
  it('a server that accepts the WebSocket but never answers initialize: within connectTimeoutMs', async () => {
    const mute = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => mute.once('listening', resolve));
    const { port } = mute.address() as { port: number };
    try {
      connection = new DeweyConnection({ url: `ws://127.0.0.1:${port}`, connectTimeoutMs: 300 });
      const started = performance.now();
      const error = await connection.get().catch((caught: unknown) => caught);
      const elapsed = performance.now() - started;
      expect(error).toBeInstanceOf(DeweyUnavailableError);
      expect((error as DeweyUnavailableError).reason).toBe('connect');
      expect((error as Error).message).toBe(
        `cannot connect to Dewey at ws://127.0.0.1:${port}: no reply to initialize within 300 ms`,
      );
      expect(elapsed).toBeLessThan(300 + 250);
    } finally {
      await connection?.close();
      connection = undefined;
      for (const client of mute.clients) client.terminate();
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    }
  });
});
