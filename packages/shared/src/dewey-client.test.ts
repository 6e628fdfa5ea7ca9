import { DeweyEmulator } from '@godot/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeweyClient } from './dewey-client.js';
import { DeweyRejectedError, DeweyUnavailableError } from './dewey-errors.js';
import type { LogEntry } from './log-entry.js';
import { WebSocketClientTransport } from './transport/websocket-client-transport.js';

const entry = (over: Partial<LogEntry> = {}): LogEntry => ({
  component: 'client-test',
  level: 'INFO',
  message: 'hello',
  trace_id: null,
  data: null,
  created_at: new Date().toISOString(),
  ...over,
});

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
