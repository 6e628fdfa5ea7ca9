import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { mcpSessionsKey, silentLogger } from '@godot/shared';
import { RedisServer } from '@godot/testkit';
import { Server as McpProtocolServer } from '@modelcontextprotocol/sdk/server/index.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GodotServer } from '../godot-server.js';
import { TOOL_LIST } from '../mcp/tool-catalog.js';
import { createServerMetrics, type ServerMetrics } from '../ops/server-metrics.js';
import {
  metricSample,
  recordingLogger,
  type ServerStack,
  startServerStack,
} from '../server.fixture.js';
import { createHttpApp } from './app.js';
import { initializeSession, listTools, mcpRequest } from './mcp-http.fixture.js';
import { HttpSessionRegistry } from './session-registry.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a served `tools/list` holds: these tests are about sessions, not about the tools. */
const TOOL_COUNT = TOOL_LIST.tools.length;

/**
 * Opens sessions one after the other, each seen at least 2 ms after the
 * previous one: scores are ms, and equal scores would order by id, not age.
 */
async function initializeMany(server: GodotServer, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    ids.push(await initializeSession(server));
    await sleep(2);
  }
  return ids;
}

/**
 * A raw POST on a session whose body never arrives: one request held in
 * flight. Returns once the server has admitted it, seen by the session's
 * last-seen score moving (requests on separate sockets arrive in any order).
 */
async function heldRequest(redis: Redis, queueName: string, server: GodotServer, session: string) {
  const key = mcpSessionsKey(queueName);
  const seen = Number(await redis.zscore(key, session));
  await sleep(2);
  const socket = connect(server.port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    `POST /mcp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMcp-Session-Id: ${session}\r\nContent-Length: 100\r\n\r\n{"jsonrpc"`,
  );
  await expect.poll(async () => Number(await redis.zscore(key, session))).toBeGreaterThan(seen);
  return socket;
}

async function evicted(metrics: ServerMetrics, reason: 'idle' | 'limit'): Promise<number> {
  const { values } = await metrics.httpSessionsEvicted.get();
  return values.find((value) => value.labels.reason === reason)?.value ?? 0;
}

describe('/mcp sessions are shared in Redis and capped (issues 10 and 12)', () => {
  let stack: ServerStack;

  beforeAll(async () => {
    stack = await startServerStack({ MAX_HTTP_SESSIONS: 5 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** A server on a queue of its own: the session set is per queue. */
  const start = (more = {}) => stack.start({ QUEUE_NAME: `q-${randomUUID()}`, ...more });

  it('keeps MAX_HTTP_SESSIONS sessions: 10 initializes leave the newest 5, the 5 oldest are evicted and counted', async () => {
    const server = await start();
    const ids = await initializeMany(server, 10);

    expect(await metricSample(server, 'godot_http_sessions')).toBe(5);
    expect(await metricSample(server, 'godot_http_sessions_evicted_total{reason="limit"}')).toBe(5);
    for (const id of ids.slice(0, 5)) {
      // The SDK's answer to an unknown session: a client initializes again.
      expect(await listTools(server, id)).toMatchObject({ status: 404, code: -32001 });
    }
    for (const id of ids.slice(5)) {
      expect(await listTools(server, id)).toMatchObject({ status: 200, tools: TOOL_COUNT });
    }
    expect(await metricSample(server, 'godot_http_sessions')).toBe(5);
  });

  it('evicts the least recently seen session, not the oldest', async () => {
    const server = await start();
    const [s1 = '', s2 = '', s3 = '', s4 = '', s5 = ''] = await initializeMany(server, 5);
    // s1, the oldest, is used: least recently seen now are s2 s3 s4 s5 s1.
    expect(await listTools(server, s1)).toMatchObject({ status: 200 });
    await sleep(2);
    const newcomers = await initializeMany(server, 3);
    for (const id of [s2, s3, s4]) {
      expect(await listTools(server, id)).toMatchObject({ status: 404 });
    }
    for (const id of [s1, s5, ...newcomers]) {
      expect(await listTools(server, id)).toMatchObject({ status: 200, tools: TOOL_COUNT });
    }
    expect(await metricSample(server, 'godot_http_sessions_evicted_total{reason="limit"}')).toBe(3);
  });

  it('refuses a request beyond MAX_CALLS_IN_FLIGHT on one session with 429, before reading it', async () => {
    const queueName = `q-${randomUUID()}`;
    const server = await stack.start({ QUEUE_NAME: queueName, MAX_CALLS_IN_FLIGHT: 2 });
    const session = await initializeSession(server);
    const other = await initializeSession(server);
    const hold = () => heldRequest(stack.raw, queueName, server, session);
    const held = [await hold(), await hold()];
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

  it('answers 404 to unknown ids, 405 to GET, and ends a session on DELETE', async () => {
    const server = await start();
    const session = await initializeSession(server);
    for (const unknown of [randomUUID(), 'x'.repeat(10_000)]) {
      expect(await listTools(server, unknown)).toMatchObject({ status: 404, code: -32001 });
      expect((await mcpRequest(server, unknown, undefined, 'DELETE')).status).toBe(404);
    }
    // No standalone SSE stream: Godot never sends a message of its own.
    for (const method of ['GET', 'PUT']) {
      const reply = await mcpRequest(server, session, undefined, method);
      expect(reply.status, method).toBe(405);
      expect(reply.headers.get('allow'), method).toBe('POST, DELETE');
    }
    // Without a session, only initialize is taken.
    expect(await mcpRequest(server, undefined, { method: 'tools/list' })).toMatchObject({
      status: 400,
    });
    expect((await mcpRequest(server, undefined, undefined, 'DELETE')).status).toBe(400);

    expect((await mcpRequest(server, session, undefined, 'DELETE')).status).toBe(200);
    expect(await listTools(server, session)).toMatchObject({ status: 404, code: -32001 });
    expect((await mcpRequest(server, session, undefined, 'DELETE')).status).toBe(404);
    expect(await metricSample(server, 'godot_http_sessions')).toBe(0);
  });

  it('keeps serving /mcp while Redis is down, and DELETE says it cannot end a session', async () => {
    const own = await startServerStack();
    try {
      const server = await own.start();
      const before = await initializeSession(server);
      await own.redis.stop();
      try {
        // Queries do not fail for want of a session check, nor initialize for
        // want of a place to record it (logger_log fails: it needs Redis).
        const during = await initializeSession(server);
        expect(await listTools(server, before)).toMatchObject({ status: 200, tools: TOOL_COUNT });
        expect(await listTools(server, during)).toMatchObject({ status: 200, tools: TOOL_COUNT });
        // Ending a session needs Redis: said so, not pretended.
        expect((await mcpRequest(server, before, undefined, 'DELETE')).status).toBe(503);
      } finally {
        await own.redis.restart();
      }
      // This Redis keeps nothing across a restart: sessions are checked again.
      await expect.poll(async () => (await listTools(server, before)).status).toBe(404);
      const after = await initializeSession(server);
      expect(await listTools(server, after)).toMatchObject({ status: 200, tools: TOOL_COUNT });
    } finally {
      await own.close();
    }
  });
});

describe('HttpSessionRegistry', () => {
  let redisServer: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    redisServer = await RedisServer.start();
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1 });
    await redis.ping();
  });
  afterAll(async () => {
    redis?.disconnect();
    await redisServer?.close();
  });

  /** A registry on a queue of its own unless told, with a clock the test moves. */
  function registry(options: { maxSessions?: number; idleMs?: number; queueName?: string } = {}) {
    const clock = { now: 1_000_000 };
    const metrics = createServerMetrics();
    const queueName = options.queueName ?? `q-${randomUUID()}`;
    const sessions = new HttpSessionRegistry({
      redis,
      metrics,
      logger: silentLogger,
      now: () => clock.now,
      ...options,
      queueName,
    });
    return { sessions, metrics, clock, key: mcpSessionsKey(queueName) };
  }

  it('forgets sessions not seen for idleMs, counted once, whichever server sees it', async () => {
    const { sessions, metrics, clock } = registry({ idleMs: 100 });
    const a = await sessions.open();
    const b = await sessions.open();
    clock.now += 50;
    expect(await sessions.touch(b)).toBe('known');
    clock.now += 60; // a unseen for 110 ms, b for 60
    expect(await sessions.touch(a)).toBe('unknown');
    expect(await sessions.touch(b)).toBe('known');
    expect(await evicted(metrics, 'idle')).toBe(1);
    expect(await sessions.count()).toBe(1);

    clock.now += 101;
    // Expiry needs no sweep: the next initialize forgets b on its way.
    const c = await sessions.open();
    expect(await evicted(metrics, 'idle')).toBe(2);
    expect(await sessions.count()).toBe(1);
    expect(await sessions.touch(c)).toBe('known');
    // Gone idle but not yet removed: not counted as live, and unknown.
    clock.now += 101;
    expect(await sessions.count()).toBe(0);
    expect(await sessions.forget(c)).toBe('unknown');
    expect(await evicted(metrics, 'idle')).toBe(3);
    expect(await evicted(metrics, 'limit')).toBe(0);
  });

  it('caps the set by least recently seen, never evicting the session just opened', async () => {
    const { sessions, metrics, clock, key } = registry({ maxSessions: 3 });
    // A frozen clock first: every score ties, the worst case for picking victims.
    for (let i = 0; i < 6; i += 1) {
      expect(await sessions.touch(await sessions.open())).toBe('known');
    }
    expect(await sessions.count()).toBe(3);
    expect(await evicted(metrics, 'limit')).toBe(3);

    const at = async <T>(step: () => Promise<T>) => {
      clock.now += 1;
      return step();
    };
    const x = await at(() => sessions.open());
    const y = await at(() => sessions.open());
    const z = await at(() => sessions.open());
    expect(await at(() => sessions.touch(x))).toBe('known'); // now y is the least recent
    const w = await at(() => sessions.open());
    expect(await evicted(metrics, 'limit')).toBe(7);
    expect(await sessions.touch(y)).toBe('unknown');
    for (const id of [x, z, w]) expect(await sessions.touch(id)).toBe('known');
    expect(await redis.zcard(key)).toBe(3);
    expect(await evicted(metrics, 'idle')).toBe(0);
  });

  it('keeps working after Redis forgot its scripts (a restart, SCRIPT FLUSH)', async () => {
    const { sessions, metrics, clock } = registry({ idleMs: 100 });
    const a = await sessions.open();
    await redis.script('FLUSH');
    expect(await sessions.touch(a)).toBe('known');
    await redis.script('FLUSH');
    clock.now += 101;
    expect(await sessions.forget(a)).toBe('unknown');
    expect(await evicted(metrics, 'idle')).toBe(1);
    await redis.script('FLUSH');
    expect(await sessions.touch(await sessions.open())).toBe('known');
  });

  it('shares sessions between registries of one queue; DELETE is seen by all', async () => {
    const queueName = `q-${randomUUID()}`;
    const one = registry({ queueName });
    const two = registry({ queueName });
    const id = await one.sessions.open();
    expect(await two.sessions.touch(id)).toBe('known');
    expect(await two.sessions.count()).toBe(1);
    expect(await two.sessions.forget(id)).toBe('known');
    expect(await one.sessions.touch(id)).toBe('unknown');
    expect(await one.sessions.forget(id)).toBe('unknown');
    // Another queue has sessions of its own.
    const other = registry();
    expect(await other.sessions.touch(await one.sessions.open())).toBe('unknown');
  });

  it('shows the shared count as godot_http_sessions at scrape time', async () => {
    const queueName = `q-${randomUUID()}`;
    const one = registry({ queueName });
    const two = registry({ queueName });
    await one.sessions.open();
    await one.sessions.open();
    expect(await two.metrics.registry.getSingleMetricAsString('godot_http_sessions')).toMatch(
      /^godot_http_sessions 2$/m,
    );
  });

  it('answers `unavailable` at once without Redis, and within timeoutMs from a frozen one', async () => {
    const { logger, lines } = recordingLogger();
    const metrics = createServerMetrics();
    const down = new Redis({
      port: 1,
      enableOfflineQueue: false,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    down.on('error', () => undefined);
    const queueName = `q-${randomUUID()}`;
    const sessions = new HttpSessionRegistry({ redis: down, queueName, metrics, logger });
    try {
      expect(await sessions.touch(randomUUID())).toBe('unavailable');
      expect(await sessions.forget(randomUUID())).toBe('unavailable');
      // Initialize still gets an id, which no server knows; the operator gets a warning.
      const unrecorded = await sessions.open();
      expect(unrecorded).toMatch(/^[0-9a-f-]{36}$/);
      expect(await registry({ queueName }).sessions.touch(unrecorded)).toBe('unknown');
      sessions.close();
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: expect.stringContaining('not recorded') }),
      );
    } finally {
      down.disconnect();
    }

    const frozen = new HttpSessionRegistry({
      redis,
      queueName: `q-${randomUUID()}`,
      metrics: createServerMetrics(),
      logger: silentLogger,
      timeoutMs: 200,
    });
    const id = await frozen.open();
    const pid = redisServer.pid as number;
    process.kill(pid, 'SIGSTOP');
    let elapsed: number;
    try {
      const started = performance.now();
      expect(await frozen.touch(id)).toBe('unavailable');
      elapsed = performance.now() - started;
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(elapsed).toBeLessThan(1000);
    await expect.poll(() => frozen.touch(id)).toBe('known');
  });
});

describe('closeSessions', () => {
  it('ends the /mcp requests in flight at shutdown, and nothing else', async () => {
    const stack = await startServerStack();
    let http: Server | undefined;
    try {
      // A tool that never answers: its request stays in flight.
      const createMcpServer = () => {
        const mcp = new McpProtocolServer(
          { name: 't', version: '0' },
          { capabilities: { tools: {} } },
        );
        mcp.fallbackRequestHandler = () => new Promise(() => undefined);
        return mcp;
      };
      const app = createHttpApp({
        createMcpServer,
        health: async () => ({ code: 200, report: {} as never }),
        metrics: createServerMetrics(),
        queues: [stack.queue],
        logger: silentLogger,
        redis: stack.raw,
        queueName: stack.config.QUEUE_NAME,
        maxBodyBytes: 1 << 20,
      });
      http = createServer(app.app);
      await new Promise<void>((resolve) => http?.listen(0, '127.0.0.1', resolve));
      const server = { port: (http.address() as AddressInfo).port };
      const session = await initializeSession(server);
      const pending = mcpRequest(server, session, { method: 'tools/list' });
      await sleep(200);
      let settled = false;
      void pending.finally(() => {
        settled = true;
      });
      await sleep(100);
      expect(settled).toBe(false);

      await app.closeSessions();
      // Its response ends with no reply; the server itself still answers.
      expect(await pending).toMatchObject({ status: 200, body: undefined });
      expect((await fetch(`http://127.0.0.1:${server.port}/health`)).status).toBe(200);
      // The session outlives this server: it is in Redis, for the others.
      expect(await stack.raw.zscore(mcpSessionsKey(stack.config.QUEUE_NAME), session)).not.toBe(
        null,
      );
    } finally {
      http?.closeAllConnections();
      http?.close();
      await stack.close();
    }
  });
});
