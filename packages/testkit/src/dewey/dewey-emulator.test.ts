import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { RawWsClient, toolPayload } from '../raw-ws-client.js';
import { DeweyEmulator } from './dewey-emulator.js';

// Transport, handshake, framing and error shapes (docs/dewey-contract.md,
// "Transport", "Handshake", "Results and errors").

const entry = (message: string) => ({
  trace_id: null,
  component: 'test',
  level: 'INFO',
  message,
  data: null,
});

describe('DeweyEmulator wire contract', () => {
  let emulator: DeweyEmulator;
  let client: RawWsClient;

  beforeAll(async () => {
    emulator = await DeweyEmulator.start({ pingIntervalMs: 50 });
  });
  afterAll(() => emulator.close());
  afterEach(async () => {
    await client?.close();
    emulator.clear();
  });

  it('selects no subprotocol, so a ws client offering mcp fails the handshake', async () => {
    const failed = RawWsClient.connect(emulator.url, { protocols: ['mcp'] });
    await expect(failed).rejects.toThrow('Server sent no subprotocol');
    client = await RawWsClient.connect(emulator.url);
    expect(client.socket.protocol).toBe('');
  });

  it('pings clients periodically', async () => {
    client = await RawWsClient.connect(emulator.url);
    await new Promise<void>((resolve) => client.socket.once('ping', () => resolve()));
  });

  it('answers initialize with its own version, repeatedly', async () => {
    client = await RawWsClient.connect(emulator.url);
    for (const version of ['2025-06-18', '2024-11-05']) {
      const reply = await client.request('initialize', { protocolVersion: version });
      expect(reply).toEqual({
        jsonrpc: '2.0',
        result: {
          protocolVersion: '2024-11-05',
          capabilities: { tools: {} },
          serverInfo: { name: 'dewey-mcp-server', version: '1.0.0' },
        },
        id: expect.any(Number),
      });
    }
  });

  it('answers a notification with an id:null error, byte for byte', async () => {
    client = await RawWsClient.connect(emulator.url);
    client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    expect(await client.nextText()).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: notifications/initialized"},"id":null}',
    );
    // The connection stays usable.
    expect((await client.request('tools/list')).result).toBeDefined();
  });

  it('does not support ping or unknown methods', async () => {
    client = await RawWsClient.connect(emulator.url);
    client.send({ jsonrpc: '2.0', id: 'p1', method: 'ping' });
    expect(await client.next()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32601, message: 'Method not found: ping' },
      id: 'p1',
    });
    expect((await client.request('resources/list')).error).toEqual({
      code: -32601,
      message: 'Method not found: resources/list',
    });
  });

  it('lists the four tools', async () => {
    client = await RawWsClient.connect(emulator.url);
    const reply = await client.request('tools/list');
    const tools = (reply.result as { tools: Array<{ name: string; inputSchema: unknown }> }).tools;
    expect(tools.map((t) => t.name)).toEqual([
      'dewey_store_logs_batch',
      'dewey_query_logs',
      'dewey_clear_logs',
      'dewey_get_log_stats',
    ]);
    for (const tool of tools) expect(tool.inputSchema).toMatchObject({ type: 'object' });
  });

  it('returns tool results as indented JSON text, without isError', async () => {
    client = await RawWsClient.connect(emulator.url);
    client.send({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'dewey_store_logs_batch', arguments: { logs: [entry('hi')] } },
    });
    const text = await client.nextText();
    const payload = JSON.stringify({ status: 'ok', inserted_count: 1 }, null, 2);
    expect(text).toBe(
      JSON.stringify({
        jsonrpc: '2.0',
        result: { content: [{ type: 'text', text: payload }] },
        id: 7,
      }),
    );
  });

  it('reports bad tool calls as JSON-RPC errors in Python shapes', async () => {
    client = await RawWsClient.connect(emulator.url);
    expect((await client.callTool('dewey_nope', {})).error).toEqual({
      code: -32601,
      message: 'Unknown tool: dewey_nope',
    });
    const nullArgs = await client.callTool('dewey_get_log_stats', null);
    expect(nullArgs.error?.code).toBe(-32603);
    expect(nullArgs.error?.message).toMatch(/^Internal error: .*must be a mapping, not NoneType$/);
    const unknownArg = await client.callTool('dewey_query_logs', { limit: 5, bogus: 1 });
    expect(unknownArg.error).toEqual({
      code: -32603,
      message: "Internal error: dewey_query_logs() got an unexpected keyword argument 'bogus'",
    });
    const missing = await client.callTool('dewey_store_logs_batch', {});
    expect(missing.error?.message).toMatch(/missing 1 required positional argument: 'logs'/);
  });

  it('answers unparsable text and batch arrays with id:null errors', async () => {
    client = await RawWsClient.connect(emulator.url);
    client.send('{not json');
    expect(await client.nextText()).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"},"id":null}',
    );
    client.send([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }]);
    expect(await client.next()).toEqual({
      jsonrpc: '2.0',
      error: { code: -32603, message: "Internal error: 'list' object has no attribute 'get'" },
      id: null,
    });
  });

  it('reads binary frames as UTF-8 text', async () => {
    client = await RawWsClient.connect(emulator.url);
    client.send(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' })));
    expect((await client.next()).id).toBe(3);
    client.send(Buffer.from([0xff, 0xfe, 0x00]));
    expect((await client.next()).error?.code).toBe(-32700);
  });

  it('answers back-to-back requests in order, even when delayed', async () => {
    client = await RawWsClient.connect(emulator.url);
    emulator.setReplyDelay(30);
    try {
      for (let id = 1; id <= 5; id++) {
        client.send({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: 'dewey_store_logs_batch', arguments: { logs: [entry(`m${id}`)] } },
        });
      }
      const started = Date.now();
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await client.next()).id);
      expect(ids).toEqual([1, 2, 3, 4, 5]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    } finally {
      emulator.setReplyDelay(0);
    }
  });

  it('accepts frames far above 1 MiB', async () => {
    client = await RawWsClient.connect(emulator.url);
    const big = 'x'.repeat(3 * 1024 * 1024);
    const payload = toolPayload(
      await client.callTool('dewey_store_logs_batch', { logs: [entry(big)] }),
    );
    expect(payload).toEqual({ status: 'ok', inserted_count: 1 });
    expect(emulator.stored()[0]?.message.length).toBe(big.length);
  });
});

describe('DeweyEmulator lifecycle', () => {
  it('stops (clients see 1006) and starts again on the same port, keeping the store', async () => {
    const emulator = await DeweyEmulator.start();
    try {
      const client = await RawWsClient.connect(emulator.url);
      await client.callToolPayload('dewey_store_logs_batch', { logs: [entry('kept')] });
      const port = emulator.port;
      await emulator.stop();
      expect((await client.closed).code).toBe(1006);
      expect(emulator.listening).toBe(false);
      await expect(RawWsClient.connect(emulator.url)).rejects.toThrow();
      await emulator.start();
      expect(emulator.port).toBe(port);
      const again = await RawWsClient.connect(emulator.url);
      const rows = await again.callToolPayload<unknown[]>('dewey_query_logs', {});
      expect(rows).toHaveLength(1);
      await again.close();
    } finally {
      await emulator.close();
    }
  });

  it('answers plain HTTP with 426', async () => {
    const emulator = await DeweyEmulator.start();
    try {
      const response = await fetch(`http://127.0.0.1:${emulator.port}/`);
      expect(response.status).toBe(426);
    } finally {
      await emulator.close();
    }
  });

  it('is an ordinary WebSocket server for a client without subprotocols', async () => {
    const emulator = await DeweyEmulator.start();
    try {
      const ws = new WebSocket(emulator.url);
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      expect(emulator.connectionCount).toBe(1);
      ws.close();
    } finally {
      await emulator.close();
    }
  });
});
