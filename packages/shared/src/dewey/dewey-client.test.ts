import { setTimeout as sleep } from 'node:timers/promises';
import { DeweyEmulator } from '@godot/testkit';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../queue/log-entry.js';
import { WebSocketClientTransport } from '../transport/websocket-client-transport.js';
import { DeweyClient } from './dewey-client.js';
import { DeweyRejectedError, DeweyUnavailableError } from './dewey-errors.js';

const entry = (over: Partial<LogEntry> = {}): LogEntry => ({
  component: 'client-test',
  level: 'INFO',
  message: 'hello',
  trace_id: null,
  data: null,
  created_at: new Date().toISOString(),
  ...over,
});

/** Wraps a real transport so that `close()` takes `delayMs` before closing it. */
function lateClosing(inner: Transport, delayMs: number): Transport {
  const outer: Transport = {
    start: () => inner.start(),
    send: (message, options) => inner.send(message, options),
    close: async () => {
      await sleep(delayMs);
      await inner.close();
    },
  };
  inner.onmessage = (message, extra) => outer.onmessage?.(message, extra);
  inner.onerror = (error) => outer.onerror?.(error);
  inner.onclose = () => outer.onclose?.();
  return outer;
}

describe('DeweyClient against the emulator', () => {
  let dewey: DeweyEmulator;
  let client: DeweyClient;

  beforeAll(async () => {
    dewey = await DeweyEmulator.start();
  });
  afterAll(async () => {
    await dewey.close();
  });
  afterEach(async () => {
    await client?.close();
    dewey.clear();
  });

  const connect = (options: Partial<ConstructorParameters<typeof DeweyClient>[0]> = {}) => {
    client = new DeweyClient({
      url: dewey.url,
      reconnectInitialDelayMs: 50,
      reconnectMaxDelayMs: 200,
      ...options,
    });
    return client;
  };

  it('stores a batch and reads it back with data decoded from its JSON string', async () => {
    const c = connect();
    const traceId = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(
      await c.storeLogsBatch([
        entry({ message: 'one', data: { x: 'y', n: [1, 2] }, trace_id: traceId }),
      ]),
    ).toEqual({
      status: 'ok',
      inserted_count: 1,
    });
    const rows = await c.queryLogs({ trace_id: traceId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      message: 'one',
      data: { x: 'y', n: [1, 2] },
      trace_id: traceId,
      level: 'INFO',
    });
  });

  it('reports an empty batch as Dewey does, without a count', async () => {
    expect(await connect().storeLogsBatch([])).toEqual({
      status: 'ok',
      message: 'No logs to store.',
    });
  });

  it('connects although Dewey answers notifications/initialized with an id:null error', async () => {
    const c = connect();
    await c.connect();
    expect(c.isUp).toBe(true);
    expect(await c.getLogStats()).toMatchObject({ total_count: 0 });
  });

  it('is refused by Dewey when it offers the mcp subprotocol (why ours offers none)', async () => {
    const c = connect({
      createTransport: (url, connectTimeoutMs) =>
        new WebSocketClientTransport(url, { connectTimeoutMs, protocols: ['mcp'] }),
    });
    const error = await c.connect().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeweyUnavailableError);
    expect(String((error as Error).message)).toContain('no subprotocol');
  });

  it('passes limit on so Dewey clamps it', async () => {
    const c = connect();
    await c.storeLogsBatch(Array.from({ length: 5 }, (_, i) => entry({ message: `m${i}` })));
    expect(await c.queryLogs({ limit: 0 })).toHaveLength(1);
    expect(await c.queryLogs({ limit: 5000 })).toHaveLength(5);
  });

  it('surfaces an all-or-nothing rejection with Dewey message, storing nothing', async () => {
    const c = connect();
    const error = await c
      .storeLogsBatch([entry(), entry({ level: 'FATAL' as LogEntry['level'] })])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeweyRejectedError);
    expect(error).toMatchObject({
      rpcCode: -32000,
      rpcMessage: 'Invalid log level in batch: FATAL',
    });
    expect(dewey.storedCount).toBe(0);
  });

  it('classifies a batch over 1000 as rejected', async () => {
    const error = await connect()
      .storeLogsBatch(Array.from({ length: 1001 }, () => entry()))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      rpcCode: -32000,
      rpcMessage: 'Batch size 1001 exceeds maximum 1000',
    });
  });

  it('times out a held call as unavailable, then works on a fresh connection', async () => {
    const c = connect({ callTimeoutMs: 300 });
    dewey.hold();
    const error = await c.storeLogsBatch([entry()]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeweyUnavailableError);
    expect((error as DeweyUnavailableError).reason).toBe('timeout');
    dewey.release();
    await expect(c.storeLogsBatch([entry({ message: 'after' })])).resolves.toMatchObject({
      inserted_count: 1,
    });
  });
});

describe('DeweyClient with realDeweyBugs', () => {
  it('passes the time-filter and clear errors on as DeweyRejectedError', async () => {
    const dewey = await DeweyEmulator.start({ realDeweyBugs: true });
    const client = new DeweyClient({ url: dewey.url });
    try {
      const query = await client
        .queryLogs({ start_time: '2026-11-24T00:00:00Z' })
        .catch((e: unknown) => e);
      expect(query).toBeInstanceOf(DeweyRejectedError);
      expect(query).toMatchObject({ rpcCode: -32603 });
      expect((query as DeweyRejectedError).rpcMessage).toContain('expected a datetime');
      const clear = await client.clearLogs({}).catch((e: unknown) => e);
      expect(clear).toBeInstanceOf(DeweyRejectedError);
    } finally {
      await client.close();
      await dewey.close();
    }
  });
});

describe('DeweyClient reconnection', () => {
  it('reconnects by itself after Dewey stops and restarts on the same port', async () => {
    const dewey = await DeweyEmulator.start();
    const client = new DeweyClient({
      url: dewey.url,
      reconnectInitialDelayMs: 50,
      reconnectMaxDelayMs: 100,
    });
    try {
      await client.storeLogsBatch([entry({ message: 'before' })]);
      await dewey.stop();
      const down = await client
        .storeLogsBatch([entry({ message: 'during' })])
        .catch((e: unknown) => e);
      expect(down).toBeInstanceOf(DeweyUnavailableError);
      await dewey.start();
      // The background reconnect brings the connection back without any call.
      await expect.poll(() => client.isUp, { timeout: 5000 }).toBe(true);
      await client.storeLogsBatch([entry({ message: 'after' })]);
      expect(dewey.stored().map((row) => row.message)).toEqual(['before', 'after']);
    } finally {
      await client.close();
      await dewey.close();
    }
  });

  it('reports a connection dropped mid-call as unavailable', async () => {
    const dewey = await DeweyEmulator.start();
    const client = new DeweyClient({ url: dewey.url, reconnectInitialDelayMs: 50 });
    try {
      await client.connect();
      dewey.hold();
      const pending = client.storeLogsBatch([entry()]).catch((e: unknown) => e);
      await dewey.waitForHeld(1);
      dewey.dropConnections();
      const error = await pending;
      expect(error).toBeInstanceOf(DeweyUnavailableError);
      expect((error as DeweyUnavailableError).reason).toBe('closed');
    } finally {
      dewey.release();
      await client.close();
      await dewey.close();
    }
  });
});

describe('DeweyClient backoff (the connection owns retrying)', () => {
  let dewey: DeweyEmulator;
  let client: DeweyClient;
  let attempts: number[];

  afterEach(async () => {
    dewey.release();
    await client.close();
    await dewey.close();
  });

  /** A client that records when each connection attempt starts. */
  const setUp = async (options: Partial<ConstructorParameters<typeof DeweyClient>[0]> = {}) => {
    dewey = await DeweyEmulator.start();
    attempts = [];
    client = new DeweyClient({
      url: dewey.url,
      reconnectInitialDelayMs: 40,
      reconnectMaxDelayMs: 10_000,
      createTransport: (url, connectTimeoutMs) => {
        attempts.push(performance.now());
        return new WebSocketClientTransport(url, { connectTimeoutMs });
      },
      ...options,
    });
  };

  it('grows the delay while Dewey accepts connections but drops every call', async () => {
    await setUp();
    dewey.hold();
    const droppedAt: number[] = [];
    for (let cycle = 0; cycle < 5; cycle++) {
      await client.waitUntilUp();
      const call = client.storeLogsBatch([entry()]).catch((e: unknown) => e);
      await dewey.waitForHeld(cycle + 1);
      droppedAt.push(performance.now());
      dewey.dropConnections();
      const error = await call;
      expect(error).toBeInstanceOf(DeweyUnavailableError);
      expect((error as DeweyUnavailableError).reason).toBe('closed');
      // Every handshake succeeded, yet the failures keep adding up.
      expect(client.consecutiveFailures).toBe(cycle + 1);
    }
    await client.waitUntilUp();
    // One attempt per loss, each after its backoff: failure n waits at least
    // half of 40 ms × 2^(n-1) (equal jitter), so the waits grow 20, 40 … 320 ms.
    // Lower bounds only: a loaded machine makes them longer, never shorter.
    expect(attempts).toHaveLength(6);
    const waits = droppedAt.map((at, cycle) => (attempts[cycle + 1] ?? Number.NaN) - at);
    waits.forEach((wait, cycle) => {
      expect(wait).toBeGreaterThanOrEqual(20 * 2 ** cycle - 5);
    });
    // A call Dewey answers starts the backoff over.
    dewey.release();
    await client.storeLogsBatch([entry({ message: 'through' })]);
    expect(client.consecutiveFailures).toBe(0);
  });

  it('after a timeout, waitUntilUp waits for a new connection and failures keep counting', async () => {
    await setUp({
      callTimeoutMs: 150,
      reconnectInitialDelayMs: 50,
      // Even when the transport reports its close late, the stuck connection
      // must not count as up meanwhile.
      createTransport: (url, connectTimeoutMs) => {
        attempts.push(performance.now());
        return lateClosing(new WebSocketClientTransport(url, { connectTimeoutMs }), 300);
      },
    });
    dewey.hold();
    for (let cycle = 0; cycle < 3; cycle++) {
      const error = await client.storeLogsBatch([entry()]).catch((e: unknown) => e);
      expect((error as DeweyUnavailableError).reason).toBe('timeout');
      // The stuck connection is dropped at once, not when its close completes.
      expect(client.isUp).toBe(false);
      expect(client.consecutiveFailures).toBe(cycle + 1);
      await client.waitUntilUp();
      expect(attempts).toHaveLength(cycle + 2);
    }
    dewey.release();
    await client.storeLogsBatch([entry({ message: 'through' })]);
    expect(client.consecutiveFailures).toBe(0);
  });

  it('counts a rejection as an answer: Dewey is up, the backoff starts over', async () => {
    await setUp({ callTimeoutMs: 150 });
    dewey.hold();
    await client.storeLogsBatch([entry()]).catch(() => {});
    expect(client.consecutiveFailures).toBe(1);
    dewey.release();
    await client.waitUntilUp();
    dewey.rejectNext(1);
    await expect(client.getLogStats()).rejects.toBeInstanceOf(DeweyRejectedError);
    expect(client.consecutiveFailures).toBe(0);
  });

  it('resolves waitUntilUp when Dewey returns, and rejects it on close', async () => {
    await setUp({ reconnectInitialDelayMs: 50, reconnectMaxDelayMs: 100 });
    await client.connect();
    await dewey.stop();
    const error = await client.getLogStats().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeweyUnavailableError);
    const up = client.waitUntilUp();
    await dewey.start();
    await up;
    await expect(client.getLogStats()).resolves.toMatchObject({ total_count: 0 });
    await dewey.stop();
    await expect.poll(() => client.isUp, { timeout: 5000, interval: 20 }).toBe(false);
    const waiting = client.waitUntilUp();
    await client.close();
    await expect(waiting).rejects.toMatchObject({ code: 'DEWEY_UNAVAILABLE', reason: 'closed' });
  });
});
