import type { IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { inspect } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { type ClientOptions, WebSocket, WebSocketServer } from 'ws';
import {
  ConnectFailedError,
  ConnectTimeoutError,
  InvalidFrameError,
  TransportClosedError,
} from './transport-errors.js';
import {
  DEFAULT_MAX_INCOMING_FRAME_BYTES,
  WebSocketClientTransport,
  type WebSocketClientTransportOptions,
} from './websocket-client-transport.js';

const cleanups: (() => Promise<unknown> | undefined)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A raw `ws` server on port 0 that never selects a subprotocol, as Dewey does. */
async function startRawServer(
  onConnection: (socket: WebSocket, request: IncomingMessage) => void = () => {},
): Promise<{ url: string; wss: WebSocketServer }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => false });
  wss.on('connection', onConnection);
  await new Promise((resolve) => wss.once('listening', resolve));
  cleanups.push(() => {
    for (const socket of wss.clients) socket.terminate();
    return new Promise((resolve) => wss.close(resolve));
  });
  const address = wss.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return { url: `ws://127.0.0.1:${address.port}`, wss };
}

/** Answers like Dewey: `id: null` errors to notifications, results to calls. */
function deweyLike(socket: WebSocket): void {
  socket.on('message', (data) => {
    const request = JSON.parse(data.toString()) as { id?: number; method: string };
    if (request.id === undefined) {
      const message = `Method not found: ${request.method}`;
      socket.send(JSON.stringify({ jsonrpc: '2.0', error: { code: -32601, message }, id: null }));
    } else if (request.method === 'initialize') {
      const result = {
        protocolVersion: '2024-11-05',
        capabilities: { tools: {} },
        serverInfo: { name: 'dewey-mcp-server', version: '1.0.0' },
      };
      socket.send(JSON.stringify({ jsonrpc: '2.0', result, id: request.id }));
    } else {
      const result = { content: [{ type: 'text', text: '{"status": "ok"}' }] };
      socket.send(JSON.stringify({ jsonrpc: '2.0', result, id: request.id }));
    }
  });
}

/** A TCP server that accepts and then says nothing: the handshake never completes. */
async function startSilentServer(): Promise<{ url: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    // Read (and ignore) the handshake, so the client's hang-up shows as 'close'.
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise((resolve) => server.close(resolve));
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  return { url: `ws://127.0.0.1:${address.port}`, sockets };
}

/** A transport with its callbacks recorded. */
function observed(url: string, options?: WebSocketClientTransportOptions) {
  const transport = new WebSocketClientTransport(url, options);
  const record = { errors: [] as Error[], messages: [] as JSONRPCMessage[], closeCount: 0 };
  transport.onerror = (error) => record.errors.push(error);
  transport.onmessage = (message) => record.messages.push(message);
  transport.onclose = () => {
    record.closeCount += 1;
  };
  cleanups.push(() => transport.close());
  return { transport, ...record, record };
}

describe('WebSocketClientTransport against a Dewey-like server', () => {
  it('reports the id:null reply to notifications/initialized and keeps working', async () => {
    const { url } = await startRawServer(deweyLike);
    const transport = new WebSocketClientTransport(url);
    const client = new Client({ name: 'godot', version: '0.1.0' });
    cleanups.push(() => client.close());
    const errors: Error[] = [];
    let closeCount = 0;
    client.onerror = (error) => errors.push(error);
    client.onclose = () => {
      closeCount += 1;
    };
    await client.connect(transport);
    expect(client.getServerVersion()).toEqual({ name: 'dewey-mcp-server', version: '1.0.0' });
    await expect.poll(() => errors.length).toBe(1);
    const [error] = errors;
    expect(error).toBeInstanceOf(InvalidFrameError);
    expect((error as InvalidFrameError).value).toMatchObject({ id: null, error: { code: -32601 } });
    expect(error?.message).toContain('Method not found: notifications/initialized');

    const result = await client.callTool({ name: 'dewey_get_log_stats', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: '{"status": "ok"}' }]);
    expect(closeCount).toBe(0);
  });

  it('connects offering no subprotocol, and fails cleanly when it offers mcp', async () => {
    const { url } = await startRawServer();
    const plain = observed(url);
    await plain.transport.start();
    expect(plain.transport.protocol).toBe('');

    const offering = observed(url, { protocols: ['mcp'] });
    const failure = await offering.transport.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectFailedError);
    expect((failure as ConnectFailedError).cause).toMatchObject({
      message: 'Server sent no subprotocol',
    });
    expect(offering.record.closeCount).toBe(1);
    await expect(
      offering.transport.send({ jsonrpc: '2.0', method: 'notifications/x' }),
    ).rejects.toBeInstanceOf(TransportClosedError);
  });

  it('reports a binary frame and stays open', async () => {
    const { url } = await startRawServer((socket) => {
      socket.send(Buffer.from('{}'), { binary: true });
      socket.send('{"jsonrpc":"2.0","method":"notifications/after"}');
    });
    const { transport, record } = observed(url);
    await transport.start();
    await expect.poll(() => record.messages.length).toBe(1);
    expect(record.errors[0]).toBeInstanceOf(InvalidFrameError);
    expect(record.closeCount).toBe(0);
  });

  it('sends the configured headers', async () => {
    const seen: (string | undefined)[] = [];
    const { url } = await startRawServer((_, request) => seen.push(request.headers.authorization));
    const { transport } = observed(url, { headers: { Authorization: 'Bearer t0k3n' } });
    await transport.start();
    await expect.poll(() => seen).toEqual(['Bearer t0k3n']);
  });
});

describe('WebSocketClientTransport connection life', () => {
  it('rejects within connectTimeoutMs when the handshake never completes, and hangs up', async () => {
    const { url, sockets } = await startSilentServer();
    const { transport, record } = observed(url, { connectTimeoutMs: 150 });
    const started = Date.now();
    const failure = await transport.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectTimeoutError);
    expect((failure as ConnectTimeoutError).code).toBe('CONNECT_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(record.closeCount).toBe(1);
    await expect.poll(() => sockets.size).toBe(0);
  });

  it('rejects with ConnectFailedError when nothing listens', async () => {
    const { url } = await startSilentServer();
    await cleanups.pop()?.();
    const failure = await observed(url)
      .transport.start()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectFailedError);
    expect((failure as ConnectFailedError).cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a refused connect to ?access_token=S never shows S: message, fields or cause chain', async () => {
    const { url } = await startSilentServer();
    await cleanups.pop()?.();
    const secret = 'S3cr3tT0k3n';
    const failure = await new WebSocketClientTransport(`${url}/?access_token=${secret}&db=1`)
      .start()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectFailedError);
    const error = failure as ConnectFailedError;
    expect(error.url).toBe(`${url}/?access_token=***&db=1`);
    expect(error.message).toBe(`Could not open a WebSocket to ${error.url}: ${error.detail}`);
    expect(error.cause).toMatchObject({ code: 'ECONNREFUSED' });
    // `inspect` prints the message, stack, own fields and every `cause` below.
    const printed = inspect(error, { depth: Number.POSITIVE_INFINITY });
    expect(printed).toContain('ECONNREFUSED');
    expect(printed).not.toContain(secret);
    for (let link: unknown = error; link instanceof Error; link = link.cause) {
      expect(`${link.message} ${link.stack} ${JSON.stringify(link)}`).not.toContain(secret);
    }
  });

  it('a handshake timeout names the URL redacted too', async () => {
    const { url } = await startSilentServer();
    const failure = await new WebSocketClientTransport(`${url}/?token=S3cr3t`, {
      connectTimeoutMs: 100,
    })
      .start()
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConnectTimeoutError);
    expect((failure as ConnectTimeoutError).message).toBe(
      `Could not open a WebSocket to ${url}/?token=***: handshake did not finish within 100 ms`,
    );
  });

  it('close() during the handshake rejects start and fires onclose once', async () => {
    const { url } = await startSilentServer();
    const { transport, record } = observed(url);
    const starting = transport.start();
    await transport.close();
    await expect(starting).rejects.toBeInstanceOf(ConnectFailedError);
    expect(record.closeCount).toBe(1);
  });

  it('close() twice is fine and fires onclose once', async () => {
    const closeCodes: number[] = [];
    const { url } = await startRawServer((socket) =>
      socket.on('close', (code) => closeCodes.push(code)),
    );
    const { transport, record } = observed(url);
    await transport.start();
    await transport.close();
    await transport.close();
    expect(record.closeCount).toBe(1);
    await expect.poll(() => closeCodes).toEqual([1000]);
    await expect(
      transport.send({ jsonrpc: '2.0', method: 'notifications/x' }),
    ).rejects.toBeInstanceOf(TransportClosedError);
  });

  it('fires onclose once when the peer terminates', async () => {
    const { url, wss } = await startRawServer();
    const { transport, record } = observed(url);
    await transport.start();
    for (const socket of wss.clients) socket.terminate();
    await expect.poll(() => record.closeCount).toBe(1);
    await transport.close();
    expect(record.closeCount).toBe(1);
    await expect(
      transport.send({ jsonrpc: '2.0', method: 'notifications/x' }),
    ).rejects.toBeInstanceOf(TransportClosedError);
  });

  it('closes with 1009 on a frame over maxIncomingFrameBytes', async () => {
    const { url } = await startRawServer((socket) => socket.send('x'.repeat(2048)));
    const { transport, record } = observed(url, { maxIncomingFrameBytes: 1024 });
    await transport.start();
    await expect.poll(() => record.closeCount).toBe(1);
    expect(record.errors[0]).toMatchObject({ code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' });
  });

  it('opens the socket through createSocket with no protocols and a 256 MiB limit', async () => {
    const { url } = await startRawServer();
    const calls: { protocols: string[]; options: ClientOptions }[] = [];
    const { transport } = observed(url, {
      createSocket: (target, protocols, options) => {
        calls.push({ protocols, options });
        return new WebSocket(target, protocols, options);
      },
    });
    await transport.start();
    expect(calls).toEqual([{ protocols: [], options: expect.objectContaining({ headers: {} }) }]);
    expect(calls[0]?.options.maxPayload).toBe(DEFAULT_MAX_INCOMING_FRAME_BYTES);
    expect(DEFAULT_MAX_INCOMING_FRAME_BYTES).toBe(256 * 1024 * 1024);
  });

  it('refuses to start twice, to send before start, and bad options', async () => {
    const { url } = await startRawServer();
    const { transport } = observed(url);
    await expect(
      transport.send({ jsonrpc: '2.0', method: 'notifications/x' }),
    ).rejects.toBeInstanceOf(TransportClosedError);
    await transport.start();
    await expect(transport.start()).rejects.toThrow('already started');
    expect(() => new WebSocketClientTransport(url, { connectTimeoutMs: 0 })).toThrow(RangeError);
    expect(() => new WebSocketClientTransport(url, { maxIncomingFrameBytes: 1.5 })).toThrow(
      RangeError,
    );
    expect(() => new WebSocketClientTransport('not a url')).toThrow(TypeError);
  });
});
