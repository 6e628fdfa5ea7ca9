import type { Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { silentLogger } from '@godot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { GodotServer } from '../godot-server.js';
import { createServerMetrics, type ServerMetrics } from '../ops/server-metrics.js';
import { connectClient, payload, type ServerStack, startServerStack } from '../server.fixture.js';
import { createHttpServer } from './http-server.js';
import { initializeSession, mcpRequest } from './mcp-http.fixture.js';

/** A raw TCP client that records what it receives and when it was closed. */
interface RawSocket {
  socket: Socket;
  received: () => string;
  /** Resolves with the ms from connect to close. */
  closed: Promise<number>;
}

async function rawSocket(port: number): Promise<RawSocket> {
  const socket = connect(port, '127.0.0.1');
  const start = Date.now();
  let data = '';
  socket.on('data', (chunk) => {
    data += chunk.toString();
  });
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(Date.now() - start)),
  );
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('close', reject);
  });
  return { socket, received: () => data, closed };
}

async function closedCount(metrics: ServerMetrics, reason: string): Promise<number> {
  const { values } = await metrics.httpConnectionsClosed.get();
  return values.find((value) => value.labels.reason === reason)?.value ?? 0;
}

describe('idle and slow TCP connections are closed', () => {
  const HEADERS_TIMEOUT_MS = 500;
  let stack: ServerStack;
  let server: GodotServer;

  beforeAll(async () => {
    // Dewey answers slowly in one test, and must not time out meanwhile.
    stack = await startServerStack({ HEADERS_TIMEOUT_MS, DEWEY_TIMEOUT_MS: 10_000 });
    server = await stack.start();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('closes 50 sockets that send nothing after the first-byte timeout; /health answers meanwhile', async () => {
    const idle = await Promise.all(Array.from({ length: 50 }, () => rawSocket(server.port)));
    const health = await fetch(`http://127.0.0.1:${server.port}/health`);
    expect([200, 503]).toContain(health.status);
    expect(await health.json()).toHaveProperty('redis');

    const lifetimes = await Promise.all(idle.map((raw) => raw.closed));
    // Node's check runs every headersTimeout / 4: closed within [timeout, timeout + 1 check + slack].
    expect(Math.min(...lifetimes)).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
    expect(Math.max(...lifetimes)).toBeLessThan(HEADERS_TIMEOUT_MS * 3);
    expect(idle.every((raw) => raw.received() === '')).toBe(true);
    expect(await closedCount(server.metrics, 'idle')).toBe(50);
    expect((await fetch(`http://127.0.0.1:${server.port}/health`)).status).toBeLessThan(600);
  });

  it('cuts a slowloris sending its headers byte by byte at HEADERS_TIMEOUT_MS, with a 408', async () => {
    const before = await closedCount(server.metrics, 'timeout');
    const slow = await rawSocket(server.port);
    const request =
      'GET /health HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    let sent = 0;
    const drip = setInterval(() => {
      if (!slow.socket.destroyed) slow.socket.write(request[sent++ % request.length] ?? 'a');
    }, 20);
    try {
      const lifetime = await slow.closed;
      expect(sent).toBeGreaterThan(10);
      expect(lifetime).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 50);
      expect(lifetime).toBeLessThan(HEADERS_TIMEOUT_MS * 3);
      expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(await closedCount(server.metrics, 'timeout')).toBe(before + 1);
    } finally {
      clearInterval(drip);
    }
  });

  it('answers a request that is not HTTP with 400 and counts it', async () => {
    const raw = await rawSocket(server.port);
    raw.socket.write('\x16\x03\x01 not http at all\r\n\r\n');
    await raw.closed;
    expect(raw.received()).toMatch(/^HTTP\/1\.1 400 /);
    expect(await closedCount(server.metrics, 'invalid')).toBe(1);
  });

  it('keeps a WebSocket and a slow /mcp reply (an SSE stream) open well past the timeouts', async () => {
    const client = await connectClient(server.url);
    const session = await initializeSession(server);
    // /mcp has no standing GET stream (405): its long-lived responses are
    // replies to slow tool calls, streamed as SSE until the reply is written.
    stack.dewey.setReplyDelay(HEADERS_TIMEOUT_MS * 5);
    try {
      const started = Date.now();
      const query = await mcpRequest(server, session, {
        method: 'tools/call',
        params: { name: 'logger_query', arguments: { limit: 1 } },
      });
      expect(Date.now() - started).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS * 5 - 50);
      expect(query.headers.get('content-type')).toBe('text/event-stream');
      expect(query.body?.result).toMatchObject({ structuredContent: { logs: [] } });
      const reply = await client.callTool({
        name: 'logger_log',
        arguments: { component: 'ws', level: 'INFO', message: 'still here' },
      });
      expect(payload(reply)).toMatchObject({ queued: true });
    } finally {
      stack.dewey.setReplyDelay(0);
      await client.close();
    }
  });
});

describe('createHttpServer', () => {
  const servers: Server[] = [];
  async function listen(server: Server): Promise<number> {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }
  afterAll(async () => {
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('caps connections at maxConnections; idle ones expire and the server answers again', async () => {
    const metrics = createServerMetrics();
    const server = createHttpServer((_req, res) => res.end('ok'), {
      metrics,
      logger: silentLogger,
      headersTimeoutMs: 400,
      maxConnections: 20,
    });
    const port = await listen(server);
    const idle = await Promise.all(Array.from({ length: 20 }, () => rawSocket(port)));
    // The attack: every slot held by a socket that sends nothing.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    await expect.poll(() => closedCount(metrics, 'full')).toBeGreaterThanOrEqual(1);
    await Promise.all(idle.map((raw) => raw.closed));
    const after = await fetch(`http://127.0.0.1:${port}/health`);
    expect(await after.text()).toBe('ok');
    expect(await closedCount(metrics, 'idle')).toBe(20);
  });

  it('does not cut a slow response or an upgraded WebSocket at requestTimeout', async () => {
    const metrics = createServerMetrics();
    const server = createHttpServer(
      (_req, res) => {
        // A long SSE-like response: one chunk every 100 ms for 1.5 s.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        let n = 0;
        const timer = setInterval(() => {
          res.write(`data: ${n}\n\n`);
          if (++n === 15) {
            clearInterval(timer);
            res.end();
          }
        }, 100);
      },
      { metrics, logger: silentLogger, headersTimeoutMs: 200, requestTimeoutMs: 300 },
    );
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (m) => ws.send(m))),
    );
    const port = await listen(server);
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    await new Promise((resolve) => ws.once('open', resolve));

    const body = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(body.match(/^data: /gm)).toHaveLength(15);

    ws.send('ping');
    const echo = await new Promise((resolve) => ws.once('message', (m) => resolve(String(m))));
    expect(echo).toBe('ping');
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
    wss.close();
    expect(await closedCount(metrics, 'timeout')).toBe(0);
  });

  it('refuses inconsistent timeouts', () => {
    const options = { metrics: createServerMetrics(), logger: silentLogger };
    expect(() =>
      createHttpServer(() => undefined, {
        ...options,
        headersTimeoutMs: 1000,
        requestTimeoutMs: 500,
      }),
    ).toThrow(RangeError);
  });
});
