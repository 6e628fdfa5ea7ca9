import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientOptions, WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import {
  CallsInFlightLimitError,
  PeerUnresponsiveError,
  TransportClosedError,
} from './transport-errors.js';
import { WebSocketClientTransport } from './websocket-client-transport.js';
import { WebSocketServerTransport } from './websocket-server-transport.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  selectSubprotocol,
  type WebSocketServerTransportOptions,
} from './websocket-server-transport-options.js';

/** One accepted connection, as the server side saw it. */
interface Connection {
  socket: WebSocket;
  transport: WebSocketServerTransport;
  errors: Error[];
  messages: JSONRPCMessage[];
  closeCount: number;
  closed: Promise<void>;
}

interface TestServer {
  url: string;
  connections: Connection[];
  close(): Promise<void>;
}

/** An `echo` tool shaped like `logger_log`'s optional nullable fields. */
function createMcpServer(): McpServer {
  const server = new McpServer({ name: 'transport-test', version: '1.0.0' });
  server.registerTool(
    'echo',
    {
      description: 'Returns its arguments as JSON text',
      inputSchema: {
        message: z.string(),
        trace_id: z.string().nullable().optional(),
        data: z.record(z.string(), z.unknown()).nullable().optional(),
      },
    },
    async (args) => ({ content: [{ type: 'text', text: JSON.stringify(args) }] }),
  );
  return server;
}

const servers: TestServer[] = [];
const rawClients: WebSocket[] = [];
const sdkClients: Client[] = [];
afterEach(async () => {
  for (const socket of rawClients.splice(0)) socket.terminate();
  await Promise.all(sdkClients.splice(0).map((client) => client.close()));
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/**
 * A real HTTP + `ws` server on port 0, wired the way Godot's server is: a new
 * transport and (unless `mcp: false`) a new `McpServer` per connection.
 */
async function startServer(
  options: WebSocketServerTransportOptions & { mcp?: boolean; maxPayload?: number } = {},
): Promise<TestServer> {
  const http = createServer();
  const wss = new WebSocketServer({
    server: http,
    handleProtocols: selectSubprotocol,
    maxPayload: options.maxPayload ?? DEFAULT_MAX_FRAME_BYTES,
  });
  const connections: Connection[] = [];
  wss.on('connection', (socket) => {
    const transport = new WebSocketServerTransport(socket, options);
    let resolveClosed = () => {};
    const connection: Connection = {
      socket,
      transport,
      errors: [],
      messages: [],
      closeCount: 0,
      closed: new Promise((resolve) => {
        resolveClosed = resolve;
      }),
    };
    connections.push(connection);
    transport.onerror = (error) => connection.errors.push(error);
    transport.onclose = () => {
      connection.closeCount += 1;
      resolveClosed();
    };
    if (options.mcp === false) {
      transport.onmessage = (message) => connection.messages.push(message);
      void transport.start();
    } else {
      void createMcpServer().connect(transport);
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const server: TestServer = {
    url: `ws://127.0.0.1:${port}/`,
    connections,
    close: async () => {
      for (const socket of wss.clients) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => http.close(resolve));
    },
  };
  servers.push(server);
  return server;
}

/** A bare `ws` client, like today's Python clients: no subprotocol, raw frames. */
class RawClient {
  private readonly frames: unknown[] = [];
  private readonly waiters: ((frame: unknown) => void)[] = [];
  readonly closed: Promise<number>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame: unknown = JSON.parse(data.toString());
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) => socket.once('close', resolve));
  }

  static async open(url: string, protocols: string[] = [], options?: ClientOptions) {
    const socket = new WebSocket(url, protocols, options);
    rawClients.push(socket);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  next(): Promise<unknown> {
    if (this.frames.length > 0) return Promise.resolve(this.frames.shift());
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async call(frame: object | string | Buffer): Promise<unknown> {
    this.socket.send(
      typeof frame === 'object' && !Buffer.isBuffer(frame) ? JSON.stringify(frame) : frame,
    );
    return this.next();
  }
}

const echoCall = (id: number, args: Record<string, unknown>) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'echo', arguments: args },
});

/** The arguments the echo tool saw, from a raw `tools/call` response. */
function echoed(response: unknown): unknown {
  const { result } = response as { result: { content: [{ text: string }] } };
  return JSON.parse(result.content[0].text);
}

describe('selectSubprotocol', () => {
  it('selects mcp when offered, else none', () => {
    expect(selectSubprotocol(new Set(['mcp']))).toBe('mcp');
    expect(selectSubprotocol(new Set(['other', 'mcp']))).toBe('mcp');
    expect(selectSubprotocol(new Set())).toBe(false);
    expect(selectSubprotocol(new Set(['other']))).toBe(false);
  });

  it('accepts a client offering mcp, none, or only others', async () => {
    const server = await startServer();
    const mcp = await RawClient.open(server.url, ['mcp']);
    expect(mcp.socket.protocol).toBe('mcp');
    const none = await RawClient.open(server.url);
    expect(none.socket.protocol).toBe('');
    // `ws` as a client refuses a server that selected none of its offers, but the server did accept.
    await expect(RawClient.open(server.url, ['other'])).rejects.toThrow(
      'Server sent no subprotocol',
    );
    expect(server.connections.map((c) => c.socket.protocol)).toEqual(['mcp', '', '']);
  });
});

async function connectSdkClient(url: string, protocols?: string[]) {
  const client = new Client({ name: 'transport-test-client', version: '1.0.0' });
  sdkClients.push(client);
  const transport = new WebSocketClientTransport(url, { protocols });
  await client.connect(transport);
  return { client, transport };
}

/** The echo tool's answer, from an SDK `callTool` result. */
function echoedBySdk(result: Awaited<ReturnType<Client['callTool']>>): unknown {
  const [content] = result.content as [{ type: 'text'; text: string }];
  return JSON.parse(content.text);
}

describe('SDK Client and McpServer over both transports', () => {
  it('lists and calls tools, offering no subprotocol', async () => {
    const server = await startServer();
    const { client, transport } = await connectSdkClient(server.url);
    expect(transport.protocol).toBe('');
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['echo']);
    const result = await client.callTool({ name: 'echo', arguments: { message: 'sdk' } });
    expect(echoedBySdk(result)).toEqual({ message: 'sdk' });
  });

  it('gets mcp selected when it offers mcp', async () => {
    const server = await startServer();
    const { client, transport } = await connectSdkClient(server.url, ['mcp']);
    expect(transport.protocol).toBe('mcp');
    expect(server.connections[0]?.socket.protocol).toBe('mcp');
    expect(
      echoedBySdk(await client.callTool({ name: 'echo', arguments: { message: 'p' } })),
    ).toEqual({ message: 'p' });
  });

  it('gives two concurrent clients their own responses, one McpServer each', async () => {
    const server = await startServer();
    const [a, b] = await Promise.all([connectSdkClient(server.url), connectSdkClient(server.url)]);
    const calls = Array.from({ length: 20 }, (_, i) => {
      const { client } = i % 2 === 0 ? a : b;
      const message = `${i % 2 === 0 ? 'a' : 'b'}${i}`;
      return client
        .callTool({ name: 'echo', arguments: { message } })
        .then((result) => [echoedBySdk(result), { message }]);
    });
    for (const [got, sent] of await Promise.all(calls)) expect(got).toEqual(sent);
    expect(server.connections).toHaveLength(2);
  });
});

describe('today`s Python clients against an SDK McpServer', () => {
  it('initialize then tools/call without notifications/initialized', async () => {
    const server = await startServer();
    const client = await RawClient.open(server.url);
    const init = await client.call({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2024-11-05',
        capabilities: {},
        clientInfo: { name: 'python', version: '0' },
      },
    });
    expect(init).toMatchObject({ id: 1, result: { protocolVersion: '2024-11-05' } });
    expect(echoed(await client.call(echoCall(2, { message: 'hi' })))).toEqual({ message: 'hi' });
  });

  it('a bare tools/call with no initialize at all', async () => {
    const server = await startServer();
    const client = await RawClient.open(server.url);
    const response = await client.call(echoCall(1, { message: 'bare' }));
    expect(response).toMatchObject({ jsonrpc: '2.0', id: 1 });
    expect(echoed(response)).toEqual({ message: 'bare' });
  });

  it('"trace_id": null and "data": null reach the tool', async () => {
    const server = await startServer();
    const client = await RawClient.open(server.url);
    const args = { message: 'm', trace_id: null, data: null };
    expect(echoed(await client.call(echoCall(1, args)))).toEqual(args);
  });

  it('a new socket per call, 50 in a row', async () => {
    const server = await startServer();
    for (let i = 0; i < 50; i += 1) {
      const client = await RawClient.open(server.url);
      expect(echoed(await client.call(echoCall(i, { message: `n${i}` })))).toEqual({
        message: `n${i}`,
      });
      client.socket.close();
      await client.closed;
    }
    await Promise.all(server.connections.map((c) => c.closed));
    expect(server.connections).toHaveLength(50);
    expect(server.connections.every((c) => c.closeCount === 1)).toBe(true);
  });
});

describe('frames that are not one valid JSON-RPC message', () => {
  it('are answered, and the same connection keeps serving', async () => {
    const server = await startServer();
    const client = await RawClient.open(server.url);
    const error = (code: number, message: string, id: number | null = null) => ({
      jsonrpc: '2.0',
      error: { code, message },
      id,
    });
    expect(await client.call('{"jsonrpc": "2.0", "id": 1, ')).toEqual(error(-32700, 'Parse error'));
    expect(await client.call(Buffer.from(JSON.stringify(echoCall(2, { message: 'b' }))))).toEqual(
      error(-32700, 'Parse error: binary frames are not supported'),
    );
    expect(await client.call([echoCall(3, { message: 'batch' })])).toEqual(
      error(-32600, 'Invalid Request: batches are not supported'),
    );
    expect(await client.call({ jsonrpc: '2.0', id: 4, method: 42 })).toEqual(
      error(-32600, 'Invalid Request', 4),
    );
    expect(await client.call({ hello: 'world' })).toEqual(error(-32600, 'Invalid Request'));
    expect(echoed(await client.call(echoCall(5, { message: 'still here' })))).toEqual({
      message: 'still here',
    });
    const [connection] = server.connections;
    expect(connection?.errors.map((e) => e.name)).toEqual(Array(5).fill('InvalidFrameError'));
    expect(connection?.closeCount).toBe(0);
  });

  it('an oversized frame closes with 1009, and the next connection is served', async () => {
    const server = await startServer();
    const big = await RawClient.open(server.url);
    big.socket.send('x'.repeat(DEFAULT_MAX_FRAME_BYTES + 1));
    expect(await big.closed).toBe(1009);
    await server.connections[0]?.closed;
    expect(server.connections[0]?.errors[0]).toMatchObject({
      code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH',
    });
    const next = await RawClient.open(server.url);
    expect(echoed(await next.call(echoCall(1, { message: 'after' })))).toEqual({
      message: 'after',
    });
  });
});

describe('WebSocketServerTransport', () => {
  it('hands messages on in the order they arrived', async () => {
    const server = await startServer({ mcp: false });
    const client = await RawClient.open(server.url);
    for (let id = 0; id < 200; id += 1) client.socket.send(JSON.stringify(echoCall(id, {})));
    await expect.poll(() => server.connections[0]?.messages.length).toBe(200);
    expect(server.connections[0]?.messages.map((m) => ('id' in m ? m.id : -1))).toEqual(
      Array.from({ length: 200 }, (_, id) => id),
    );
  });

  it('terminates a peer that stops answering pings', async () => {
    // Wide enough that a busy CI event loop does not make the live peer look dead.
    const server = await startServer({ mcp: false, pingIntervalMs: 100 });
    const dead = await RawClient.open(server.url, [], { autoPong: false });
    const alive = await RawClient.open(server.url);
    expect(await dead.closed).toBe(1006);
    const [deadSide, aliveSide] = server.connections;
    expect(deadSide?.closeCount).toBe(1);
    expect(deadSide?.errors[0]).toBeInstanceOf(PeerUnresponsiveError);
    await sleep(350);
    expect(aliveSide?.closeCount).toBe(0);
    expect(alive.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('close() is idempotent, fires onclose once, then refuses to send', async () => {
    const server = await startServer({ mcp: false });
    const client = await RawClient.open(server.url);
    await expect.poll(() => server.connections.length).toBe(1);
    const connection = server.connections[0] as Connection;
    await connection.transport.close();
    await connection.transport.close();
    expect(await client.closed).toBe(1000);
    expect(connection.closeCount).toBe(1);
    await expect(
      connection.transport.send({ jsonrpc: '2.0', method: 'notifications/x' }),
    ).rejects.toBeInstanceOf(TransportClosedError);
  });

  it('fires onclose once when the peer closes', async () => {
    const server = await startServer({ mcp: false });
    const client = await RawClient.open(server.url);
    await expect.poll(() => server.connections.length).toBe(1);
    client.socket.close();
    await server.connections[0]?.closed;
    await sleep(20);
    expect(server.connections[0]?.closeCount).toBe(1);
  });

  it('sends one message per text frame', async () => {
    const server = await startServer({ mcp: false });
    const client = await RawClient.open(server.url);
    await expect.poll(() => server.connections.length).toBe(1);
    await server.connections[0]?.transport.send({ jsonrpc: '2.0', id: 9, result: { ok: true } });
    expect(await client.next()).toEqual({ jsonrpc: '2.0', id: 9, result: { ok: true } });
  });

  it('refuses to start twice and a non-positive ping interval', async () => {
    const server = await startServer({ mcp: false });
    await RawClient.open(server.url);
    await expect.poll(() => server.connections.length).toBe(1);
    const connection = server.connections[0] as Connection;
    await expect(connection.transport.start()).rejects.toThrow('already started');
    expect(() => new WebSocketServerTransport(connection.socket, { pingIntervalMs: 0 })).toThrow(
      RangeError,
    );
  });
});

describe('maxCallsInFlight', () => {
  const request = (id: number | string, method = 'slow') => ({ jsonrpc: '2.0', id, method });
  const ids = (connection: Connection | undefined) =>
    connection?.messages.map((m) => ('id' in m ? m.id : `(${'method' in m ? m.method : '?'})`));

  it('answers a request beyond the cap at once with -32005; the connection serves on as replies go out', async () => {
    const server = await startServer({ mcp: false, maxCallsInFlight: 2 });
    const client = await RawClient.open(server.url);
    client.socket.send(JSON.stringify(request(1)));
    client.socket.send(JSON.stringify(request(2)));
    expect(await client.call(request(3))).toEqual({
      jsonrpc: '2.0',
      error: {
        code: -32005,
        message:
          'too many calls in flight on this connection (MAX_CALLS_IN_FLIGHT=2): wait for replies',
      },
      id: 3,
    });
    const connection = server.connections[0] as Connection;
    expect(ids(connection)).toEqual([1, 2]);
    expect(connection.transport.callsInFlight).toBe(2);
    expect(connection.errors).toHaveLength(1);
    expect(connection.errors[0]).toBeInstanceOf(CallsInFlightLimitError);
    expect(connection.errors[0]).toMatchObject({ limit: 2, requestId: 3 });

    // Notifications and the peer's responses are not calls: they always pass.
    client.socket.send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
    client.socket.send(JSON.stringify({ jsonrpc: '2.0', id: 0, result: {} }));
    await connection.transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    expect(await client.next()).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
    expect(connection.transport.callsInFlight).toBe(1);
    client.socket.send(JSON.stringify(request(4)));
    await expect.poll(() => ids(connection)).toEqual([1, 2, '(notifications/initialized)', 0, 4]);
    expect(connection.closeCount).toBe(0);
  });

  it('keeps a cancelled call counted and its cancellation from the SDK, which then still answers it', async () => {
    const server = await startServer({ mcp: false, maxCallsInFlight: 1 });
    const client = await RawClient.open(server.url);
    const cancel = (requestId: number) => ({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId, reason: 'timeout' },
    });
    client.socket.send(JSON.stringify(request(1)));
    client.socket.send(JSON.stringify(cancel(1)));
    // Not a call in flight: handed on (the SDK ignores it).
    client.socket.send(JSON.stringify(cancel(99)));
    const connection = server.connections[0] as Connection;
    await expect.poll(() => connection.messages.length).toBe(2);
    expect(ids(connection)).toEqual([1, '(notifications/cancelled)']);
    expect(connection.messages[1]).toMatchObject({ params: { requestId: 99 } });
    expect(await client.call(request(2))).toMatchObject({ id: 2, error: { code: -32005 } });
    await connection.transport.send({ jsonrpc: '2.0', id: 1, result: {} });
    expect(await client.next()).toMatchObject({ id: 1 });
    expect(connection.transport.callsInFlight).toBe(0);
  });

  it('lets an SDK McpServer answer every call of a client that reuses one id', async () => {
    const server = await startServer({ maxCallsInFlight: 3 });
    const client = await RawClient.open(server.url);
    for (let i = 0; i < 3; i += 1)
      client.socket.send(JSON.stringify(echoCall(1, { message: `${i}` })));
    const replies = [await client.next(), await client.next(), await client.next()];
    expect(replies.map(echoed).sort()).toEqual([
      { message: '0' },
      { message: '1' },
      { message: '2' },
    ]);
    await expect.poll(() => server.connections[0]?.transport.callsInFlight).toBe(0);
    expect(echoed(await client.call(echoCall(2, { message: 'next' })))).toEqual({
      message: 'next',
    });
  });
});
