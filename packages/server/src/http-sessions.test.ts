import { IncomingMessage, ServerResponse } from 'node:http';
import { connect, Socket } from 'node:net';
import { silentLogger } from '@godot/shared';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GodotServer } from './godot-server.js';
import { type HttpSession, HttpSessions } from './http-sessions.js';
import {
  MCP_PROTOCOL_VERSION,
  metricSample,
  postInitialize,
  type ServerStack,
  startServerStack,
} from './server.fixture.js';
import { createServerMetrics } from './server-metrics.js';

const HEADERS = {
  'content-type': 'application/json',
  accept: 'application/json, text/event-stream',
};

/** Opens a /mcp session with a bare `initialize`, as a client would. */
async function initialize(server: GodotServer): Promise<string> {
  const response = await postInitialize(`http://127.0.0.1:${server.port}/mcp`);
  expect(response.status).toBe(200);
  await response.text();
  const id = response.headers.get('mcp-session-id');
  if (id === null) throw new Error('no mcp-session-id');
  return id;
}

/** `tools/list` on a session: the HTTP status, and the JSON-RPC error code if any. */
async function listTools(server: GodotServer, session: string) {
  const response = await fetch(`http://127.0.0.1:${server.port}/mcp`, {
    method: 'POST',
    headers: {
      ...HEADERS,
      'mcp-session-id': session,
      'mcp-protocol-version': MCP_PROTOCOL_VERSION,
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }),
  });
  const text = await response.text();
  const json = text.startsWith('{') ? text : (/^data: (.*)$/m.exec(text)?.[1] ?? 'null');
  const body = JSON.parse(json) as { error?: { code: number }; result?: { tools: unknown[] } };
  return { status: response.status, code: body.error?.code, tools: body.result?.tools.length };
}

/** A raw POST on a session whose body never arrives: one request held in flight. */
async function heldRequest(server: GodotServer, session: string): Promise<Socket> {
  const socket = connect(server.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMcp-Session-Id: ${session}\r\nContent-Length: 100\r\n\r\n{"jsonrpc"`,
  );
  return socket;
}

describe('/mcp sessions are capped (issue 10, finding 3)', () => {
  let stack: ServerStack;

  beforeAll(async () => {
    stack = await startServerStack({ MAX_HTTP_SESSIONS: 5 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps MAX_HTTP_SESSIONS sessions: 10 initializes leave the newest 5, the 5 oldest are evicted and counted', async () => {
    const server = await stack.start();
    const ids: string[] = [];
    for (let i = 0; i < 10; i += 1) ids.push(await initialize(server));

    expect(await metricSample(server, 'godot_http_sessions')).toBe(5);
    expect(await metricSample(server, 'godot_http_sessions_evicted_total{reason="limit"}')).toBe(5);
    for (const id of ids.slice(0, 5)) {
      // The SDK's answer to an unknown session: a client initializes again.
      expect(await listTools(server, id)).toMatchObject({ status: 404, code: -32001 });
    }
    for (const id of ids.slice(5)) {
      expect(await listTools(server, id)).toMatchObject({ status: 200, tools: 4 });
    }
    expect(await metricSample(server, 'godot_http_sessions')).toBe(5);
  });

  it('evicts the least recently used idle session, not the oldest nor one with a request open', async () => {
    const server = await stack.start();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) ids.push(await initialize(server));
    const [s1 = '', s2 = '', s3 = '', s4 = '', s5 = ''] = ids;
    // s1 listens on its SSE stream (a request in flight); s2 was just used.
    const controller = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${server.port}/mcp`, {
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': s1,
        'mcp-protocol-version': MCP_PROTOCOL_VERSION,
      },
      signal: controller.signal,
    });
    expect(stream.status).toBe(200);
    expect(await listTools(server, s2)).toMatchObject({ status: 200 });
    try {
      // LRU order now: s3 s4 s5 s1(busy) s2. Three newcomers evict s3, s4, s5:
      // not s1, the oldest but busy, nor s2, older than s3 but used since.
      const newcomers = [];
      for (let i = 0; i < 3; i += 1) newcomers.push(await initialize(server));
      for (const id of [s3, s4, s5]) {
        expect(await listTools(server, id)).toMatchObject({ status: 404 });
      }
      for (const id of [s1, s2, ...newcomers]) {
        expect(await listTools(server, id)).toMatchObject({ status: 200, tools: 4 });
      }
      expect(await metricSample(server, 'godot_http_sessions_evicted_total{reason="limit"}')).toBe(
        3,
      );
    } finally {
      controller.abort();
    }
  });

  it('refuses a request beyond MAX_CALLS_IN_FLIGHT on one session with 429, before reading it', async () => {
    const server = await stack.start({ MAX_CALLS_IN_FLIGHT: 2 });
    const session = await initialize(server);
    const other = await initialize(server);
    const held = [await heldRequest(server, session), await heldRequest(server, session)];
    try {
      await expect.poll(async () => (await listTools(server, session)).status).toBe(429);
      expect(
        await metricSample(server, 'godot_http_requests_refused_total{reason="in_flight"}'),
      ).toBe(1);
      // The cap is per session: another one is served.
      expect(await listTools(server, other)).toMatchObject({ status: 200 });
    } finally {
      for (const socket of held) socket.destroy();
    }
    // Requests that end (here: their client went away) free their slots.
    await expect.poll(async () => (await listTools(server, session)).status).toBe(200);
  });
});

describe('HttpSessions idle expiry', () => {
  it('closes sessions idle for idleMs, but not one with a request in flight', async () => {
    const metrics = createServerMetrics();
    const sessions = new HttpSessions({
      metrics,
      logger: silentLogger,
      idleMs: 100,
      sweepIntervalMs: 20,
    });
    const open = (): HttpSession => {
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      return { transport, lastSeen: Date.now(), inFlight: 0 };
    };
    const [idle, busy] = [open(), open()];
    let idleClosed = false;
    idle.transport.onclose = () => {
      idleClosed = true;
    };
    sessions.add('idle', idle);
    sessions.add('busy', busy);
    const response = new ServerResponse(new IncomingMessage(new Socket()));
    expect(sessions.begin('busy', busy, response)).toBe(true);
    try {
      await expect.poll(() => idleClosed).toBe(true);
      expect(sessions.get('idle')).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(sessions.get('busy')).toBe(busy);
      // Its request over, the busy session is idle too and goes in turn.
      response.emit('close');
      await expect.poll(() => sessions.size).toBe(0);
      const { values } = await metrics.httpSessionsEvicted.get();
      expect(values).toEqual([expect.objectContaining({ labels: { reason: 'idle' }, value: 2 })]);
    } finally {
      await sessions.closeAll();
    }
  });
});
