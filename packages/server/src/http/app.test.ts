import { workerHeartbeatKey } from '@godot/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GodotServer } from '../godot-server.js';
import {
  connectClient,
  payload,
  postInitialize,
  type ServerStack,
  startServerStack,
} from '../server.fixture.js';

/** Every non-comment line of Prometheus text exposition: name{labels} value. */
const SAMPLE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;

describe('HTTP surface', () => {
  let stack: ServerStack;
  let server: GodotServer;
  let base: string;

  beforeAll(async () => {
    stack = await startServerStack({ ADMIN_TOKEN: 'admin-secret', AUTH_TOKEN: 'client-secret' });
    server = await stack.start();
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('/health is 503 without a worker heartbeat, 200 with one, 503 when Redis is down', async () => {
    const first = await fetch(`${base}/health`);
    expect(first.status).toBe(503);
    expect(await first.json()).toMatchObject({
      redis: { up: true },
      worker: { heartbeat_age_ms: null },
    });

    await stack.raw.zadd(workerHeartbeatKey(stack.config.QUEUE_NAME), Date.now(), 'w1');
    // One reading of Redis serves /health for about a second (docs/product.md#health).
    await expect.poll(async () => (await fetch(`${base}/health`)).status).toBe(200);
    const healthy = await fetch(`${base}/health`);
    expect(healthy.status).toBe(200);
    const body = await healthy.json();
    expect(body).toMatchObject({
      status: 'ok',
      redis: { up: true },
      dewey: { up: true },
      queue: { waiting: 0, active: 0, delayed: 0, failed: 0 },
      worker: { workers: 1 },
    });

    await stack.redis.stop();
    try {
      // 503 as soon as the server's connection has seen Redis go.
      await expect.poll(async () => (await fetch(`${base}/health`)).status).toBe(503);
      const down = await fetch(`${base}/health`);
      expect(await down.json()).toMatchObject({ status: 'unhealthy', redis: { up: false } });
    } finally {
      await stack.redis.restart();
      await stack.raw.zadd(workerHeartbeatKey(stack.config.QUEUE_NAME), Date.now(), 'w1');
    }
    // The server reconnects by itself.
    await expect
      .poll(async () => (await fetch(`${base}/health`)).status, { timeout: 10_000 })
      .toBe(200);
  });

  it('/metrics is Prometheus text with the counters the spec names', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
      expect(line).toMatch(SAMPLE);
    }
    for (const name of [
      'godot_logs_received_total',
      'godot_logs_filtered_total',
      'godot_logs_dropped_total',
      'godot_queue_depth',
      'godot_dewey_up',
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });

  it('the dashboard refuses requests without the admin token and serves them with it', async () => {
    expect((await fetch(`${base}/admin/queues`)).status).toBe(401);
    expect(
      (await fetch(`${base}/admin/queues`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    const ok = await fetch(`${base}/admin/queues`, {
      headers: { authorization: 'Bearer admin-secret' },
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('<html');
    const basic = `Basic ${Buffer.from('ops:admin-secret').toString('base64')}`;
    expect(
      (await fetch(`${base}/admin/queues/api/queues`, { headers: { authorization: basic } }))
        .status,
    ).toBe(200);
  });

  it('AUTH_TOKEN guards WebSocket and /mcp', async () => {
    await expect(connectClient(server.url)).rejects.toThrow(/401/);
    const client = await connectClient(server.url, { authorization: 'Bearer client-secret' });
    expect(
      payload(
        await client.callTool({
          name: 'logger_log',
          arguments: { component: 'c', level: 'INFO', message: 'm' },
        }),
      ),
    ).toMatchObject({
      queued: true,
    });
    await client.close();
    const mcp = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(mcp.status).toBe(401);
    const challenge = mcp.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(
      /^Bearer realm="godot", error="invalid_token", error_description="[^"]+"$/,
    );
    expect(challenge).toContain('Authorization: Bearer <AUTH_TOKEN>');
    expect(((await mcp.json()) as { error: { message: string } }).error.message).toContain(
      `claude mcp add --transport http godot http://127.0.0.1:${server.port}/mcp --header "Authorization: Bearer <token>"`,
    );
  });

  it('/mcp also takes ?access_token=, and a wrong one is refused', async () => {
    const init = (query: string) => postInitialize(`${base}/mcp${query}`);
    const ok = await init('?access_token=client-secret');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('mcp-session-id')).toBeTruthy();
    await ok.body?.cancel();
    expect((await init('?access_token=wrong')).status).toBe(401);
  });

  it('answers OAuth discovery and registration in JSON, telling how to send the token', async () => {
    const paths = [
      '/.well-known/oauth-protected-resource',
      '/.well-known/oauth-protected-resource/mcp',
      '/.well-known/oauth-authorization-server',
      '/.well-known/oauth-authorization-server/mcp',
      '/.well-known/openid-configuration',
      '/.well-known/openid-configuration/mcp',
      '/mcp/.well-known/openid-configuration',
    ];
    for (const path of paths) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
      const body = (await response.json()) as { error_description: string };
      expect(body.error_description, path).toContain('Authorization: Bearer <AUTH_TOKEN>');
    }
    const register = await fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://localhost:1/cb'] }),
    });
    expect(register.status).toBe(400);
    const body = (await register.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_client_metadata');
    expect(body.error_description).toContain('send the header Authorization: Bearer <AUTH_TOKEN>');
    expect(body.error_description).toContain(
      `npx mcp-remote http://127.0.0.1:${server.port}/mcp --header "Authorization: Bearer <token>"`,
    );
    const token = await fetch(`${base}/token`, { method: 'POST' });
    expect(token.status).toBe(400);
    expect(await token.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('answers unknown paths with JSON, not an HTML page', async () => {
    const response = await fetch(`${base}/nowhere`, { method: 'POST' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('without ADMIN_TOKEN', () => {
  it('has no dashboard at all', async () => {
    const stack = await startServerStack();
    try {
      const server = await stack.start();
      expect((await fetch(`http://127.0.0.1:${server.port}/admin/queues`)).status).toBe(404);
      // No token to send: OAuth probes get a JSON 404 saying so.
      const register = await fetch(`http://127.0.0.1:${server.port}/register`, { method: 'POST' });
      expect(register.status).toBe(404);
      expect(
        ((await register.json()) as { error_description: string }).error_description,
      ).toContain('needs no token');
    } finally {
      await stack.close();
    }
  });
});
