/**
 * The resource limits, WebSocket side (docs/product.md#resource-limits): each
 * attack replayed against a real server (real redis-server, Dewey emulator)
 * and its outcome bounded.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@godot/shared';
import { RawWsClient } from '@godot/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type GodotServer, startGodotServer } from '../godot-server.js';
import { metricSample, type ServerStack, startServerStack } from '../server.fixture.js';

/** Tries an upgrade: the HTTP refusal (status and body), or `open` with the socket. */
function tryUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; challenge?: string; socket?: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('open', () => resolve({ status: 101, body: '', socket }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          body,
          challenge: response.headers['www-authenticate'],
        }),
      );
    });
    socket.once('error', reject);
  });
}

const logCall = (message: string) => ({
  name: 'logger_log',
  arguments: { component: 'limits', level: 'INFO', message },
});

describe('WebSocket limits', () => {
  let stack: ServerStack;
  const clients: RawWsClient[] = [];

  beforeAll(async () => {
    stack = await startServerStack();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function open(server: GodotServer): Promise<RawWsClient> {
    const client = await RawWsClient.connect(server.url);
    clients.push(client);
    return client;
  }

  it('MAX_CONNECTIONS=5, 10 sockets: each new one closes the idlest (1013); 5 stay open, counted', async () => {
    const server = await stack.start({ MAX_CONNECTIONS: 5 });
    const first = [];
    for (let i = 0; i < 5; i += 1) first.push(await open(server));
    // Every one but the first has been heard from, in order: idlest first.
    for (const client of first.slice(1)) await client.request('tools/list');
    const later = [];
    for (let i = 0; i < 5; i += 1) {
      later.push(await open(server));
      expect((await first[i]?.closed)?.code).toBe(1013);
    }
    const closed = await Promise.all(first.map((client) => client.closed));
    expect(closed.map((c) => c.code)).toEqual([1013, 1013, 1013, 1013, 1013]);
    expect(closed[0]?.reason).toBe('too many connections (MAX_CONNECTIONS): idlest closed');
    for (const client of later) expect((await client.request('tools/list')).result).toBeDefined();
    expect(await metricSample(server, 'godot_websocket_connections')).toBe(5);
    expect(
      await metricSample(
        server,
        'godot_websocket_connections_closed_total{reason="max_connections"}',
      ),
    ).toBe(5);
  });

  it('refuses a browser Origin with 403 unless ALLOWED_ORIGINS lists it; no Origin is accepted', async () => {
    const server = await stack.start({
      ALLOWED_ORIGINS: ['https://dashboard.example:8443', 'http://localhost:3000/'],
    });
    const evil = await tryUpgrade(server.url, { Origin: 'https://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.body).toContain('origin is not in ALLOWED_ORIGINS');
    // Same host, other scheme or port: another origin.
    for (const origin of ['http://dashboard.example:8443', 'https://dashboard.example', 'null']) {
      expect((await tryUpgrade(server.url, { Origin: origin })).status).toBe(403);
    }
    for (const origin of ['https://DASHBOARD.example:8443', 'http://localhost:3000']) {
      const listed = await tryUpgrade(server.url, { Origin: origin });
      expect(listed.status).toBe(101);
      listed.socket?.close();
    }
    const python = await open(server);
    expect(
      (await python.callTool('logger_log', logCall('no origin').arguments)).result,
    ).toBeDefined();
    expect(
      await metricSample(server, 'godot_websocket_upgrades_refused_total{reason="origin"}'),
    ).toBe(4);

    // The default (nothing listed) refuses every browser page.
    const closed = await stack.start();
    expect((await tryUpgrade(closed.url, { Origin: 'http://127.0.0.1:9060' })).status).toBe(403);
  });

  it('logs refusals rate-limited, with the origin cut, and counts each; a bad token gets 401', async () => {
    const lines: string[] = [];
    const record = (obj: object, msg?: string) => lines.push(`${msg} ${JSON.stringify(obj)}`);
    const logger: Logger = { debug: () => {}, info: () => {}, warn: record, error: record };
    const server = await startGodotServer(
      { ...stack.config, AUTH_TOKEN: 'secret', ALLOWED_ORIGINS: [] },
      { logger },
    );
    try {
      const origin = `https://${'x'.repeat(3000)}.example`;
      for (let i = 0; i < 3; i += 1) {
        expect((await tryUpgrade(server.url, { Origin: origin })).status).toBe(403);
      }
      const unauthorized = await tryUpgrade(server.url, { Authorization: 'Bearer wrong' });
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.body).toContain('Authorization: Bearer <AUTH_TOKEN>');
      expect(unauthorized.challenge).toMatch(
        /^Bearer realm="godot", error="invalid_token", error_description="[^"]+"$/,
      );
      const refused = lines.filter((line) => line.includes('upgrade refused (403)'));
      expect(refused).toHaveLength(1);
      expect(refused[0]).toContain(`"origin":"${origin.slice(0, 100)}… (${origin.length} chars)"`);
      expect(refused[0]).toContain('"remote":"127.0.0.1"');
      expect(
        await metricSample(server, 'godot_websocket_upgrades_refused_total{reason="origin"}'),
      ).toBe(3);
      expect(
        await metricSample(server, 'godot_websocket_upgrades_refused_total{reason="unauthorized"}'),
      ).toBe(1);
      // The token may come on the URL (RFC 6750 §2.3), and is never logged.
      const byQuery = await tryUpgrade(`${server.url}/?access_token=secret`);
      expect(byQuery.status).toBe(101);
      byQuery.socket?.close();
      expect((await tryUpgrade(`${server.url}/?access_token=guess-secret`)).status).toBe(401);
    } finally {
      await server.close();
    }
    // Closing writes what the interval held back: the two later refusals.
    expect(lines.filter((line) => line.includes('upgrade refused (403)')).at(-1)).toContain(
      '"count":2',
    );
    expect(lines.join('\n')).not.toContain('secret');
  });

  it('a client that sends 50,000 tools/list without reading: reading paused, memory bounded, nothing lost', async () => {
    // 100 calls in flight: the replies to the requests of one read (at most
    // that many tools/list lists of ~20 KiB, the rest refused) stay within the
    // close limit, twice the pause limit, whatever the server read before
    // the pause took effect.
    const server = await stack.start({
      MAX_UNREAD_REPLY_BYTES: 8 * 1024 * 1024,
      MAX_CALLS_IN_FLIGHT: 100,
    });
    const socket = new WebSocket(server.url);
    socket.on('error', () => {});
    let replies = 0;
    let refusals = 0;
    socket.on('message', (data) => {
      replies += 1;
      if (String(data).includes('"code":-32005')) refusals += 1;
    });
    await new Promise((resolve) => socket.once('open', resolve));
    socket.pause();
    const before = process.memoryUsage();
    const frame = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list' });
    for (let id = 1; id <= 50_000; id += 1) socket.send(frame(id));
    await expect
      .poll(() => metricSample(server, 'godot_websocket_reads_paused_total'), { timeout: 10_000 })
      .toBe(1);
    // Paused, the server reads no more: its memory stays where the pause left it.
    await sleep(1000);
    const after = process.memoryUsage();
    const grown = (m: NodeJS.MemoryUsage) => m.heapUsed + m.arrayBuffers;
    const growthMiB = (grown(after) - grown(before)) / 2 ** 20;
    console.log(
      `unread replies (MAX_UNREAD_REPLY_BYTES=8 MiB): heap+buffers grew ${growthMiB.toFixed(1)} MiB, ` +
        `rss ${((after.rss - before.rss) / 2 ** 20).toFixed(1)} MiB`,
    );
    // Without the limit, the same attack grew heap+buffers by about 630 MiB here.
    expect(growthMiB).toBeLessThan(100);
    expect(await metricSample(server, 'godot_websocket_connections')).toBe(1);
    expect(replies).toBe(0);

    // Backpressure, not loss: once the client reads, every request is answered,
    // some with -32005: one read of the socket carries more than
    // MAX_CALLS_IN_FLIGHT (100) of these 56-byte requests.
    socket.resume();
    await expect.poll(() => replies, { timeout: 30_000, interval: 200 }).toBe(50_000);
    expect(
      await metricSample(
        server,
        'godot_websocket_calls_refused_total{reason="max_calls_in_flight"}',
      ),
    ).toBe(refusals);
    expect(
      await metricSample(
        server,
        'godot_websocket_connections_closed_total{reason="unread_replies"}',
      ),
    ).toBe(0);
    socket.close();
  }, 60_000);
});

describe('WebSocket limits while Redis is frozen (calls stay in flight for 1 s)', () => {
  let stack: ServerStack;
  const clients: RawWsClient[] = [];

  beforeAll(async () => {
    stack = await startServerStack();
  });
  afterEach(async () => {
    thaw();
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });
  afterAll(async () => {
    await stack?.close();
  });

  let frozen = false;
  function freeze(): void {
    process.kill(stack.redis.pid as number, 'SIGSTOP');
    frozen = true;
  }
  function thaw(): void {
    if (frozen) process.kill(stack.redis.pid as number, 'SIGCONT');
    frozen = false;
  }

  async function open(server: GodotServer): Promise<RawWsClient> {
    const client = await RawWsClient.connect(server.url);
    clients.push(client);
    return client;
  }

  it('MAX_CALLS_IN_FLIGHT=3: the 4th call is refused at once; later calls work after replies', async () => {
    const server = await stack.start({ MAX_CALLS_IN_FLIGHT: 3 });
    const client = await open(server);
    expect((await client.callTool('logger_log', logCall('warm').arguments)).result).toBeDefined();
    freeze();
    const started = Date.now();
    for (let id = 101; id <= 103; id += 1) {
      client.send({ jsonrpc: '2.0', id, method: 'tools/call', params: logCall(`frozen ${id}`) });
    }
    client.send({ jsonrpc: '2.0', id: 104, method: 'tools/call', params: logCall('one too many') });
    const refusal = await client.next();
    const refusedAfterMs = Date.now() - started;
    expect(refusal).toEqual({
      jsonrpc: '2.0',
      id: 104,
      error: {
        code: -32005,
        message:
          'too many calls in flight on this connection (MAX_CALLS_IN_FLIGHT=3): wait for replies',
      },
    });
    expect(refusedAfterMs).toBeLessThan(500);
    // The three in flight are answered (a tool error: Redis does not answer) within their 1 s.
    const answers = [await client.next(), await client.next(), await client.next()];
    expect(answers.map((a) => a.id).sort()).toEqual([101, 102, 103]);
    thaw();
    const after = await client.callTool('logger_log', logCall('after').arguments);
    expect(
      JSON.parse((after.result as { content: { text: string }[] }).content[0]?.text ?? ''),
    ).toMatchObject({
      queued: true,
    });
    expect(
      await metricSample(
        server,
        'godot_websocket_calls_refused_total{reason="max_calls_in_flight"}',
      ),
    ).toBe(1);
    console.log(`calls in flight: 4th call refused after ${refusedAfterMs} ms`);
  });

  it('MAX_CONNECTIONS=2 with both connections busy: a new upgrade gets 503, then the idlest goes once idle', async () => {
    const server = await stack.start({ MAX_CONNECTIONS: 2 });
    const busy = [await open(server), await open(server)];
    freeze();
    for (const [i, client] of busy.entries()) {
      client.send({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: logCall(`busy ${i}`) });
    }
    await sleep(100);
    const refused = await tryUpgrade(server.url);
    expect(refused.status).toBe(503);
    expect(refused.body).toBe(
      'too many WebSocket connections (MAX_CONNECTIONS=2), all busy: try again later\n',
    );
    // Answered (with a tool error) within 1 s; then nobody is busy.
    for (const client of busy) expect((await client.next()).id).toBe(1);
    thaw();
    const next = await open(server);
    expect((await busy[0]?.closed)?.code).toBe(1013);
    expect((await next.request('tools/list')).result).toBeDefined();
    expect(
      await metricSample(
        server,
        'godot_websocket_upgrades_refused_total{reason="max_connections"}',
      ),
    ).toBe(1);
    expect(
      await metricSample(
        server,
        'godot_websocket_connections_closed_total{reason="max_connections"}',
      ),
    ).toBe(1);
  });
});
