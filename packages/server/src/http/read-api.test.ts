import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStack } from '../../../../test/support/stack/test-stack.js';
import type { GodotServer } from '../godot-server.js';
import { connectClient } from '../server.fixture.js';

describe('the read tools over HTTP (/api/tools)', () => {
  let stack: TestStack;
  let open: GodotServer;
  let guarded: GodotServer;

  beforeAll(async () => {
    stack = await TestStack.start({ queuePrefix: 'read-api' });
    open = await stack.startServer();
    guarded = await stack.startServer({ AUTH_TOKEN: 'tools-secret', ADMIN_TOKEN: 'admin-secret' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const post = (
    server: GodotServer,
    tool: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`http://127.0.0.1:${server.port}/api/tools/${tool}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('answers a read tool with its structuredContent, always as json', async () => {
    const client = await connectClient(open.url);
    const since = new Date().toISOString();
    await client.callTool({
      name: 'logger_log',
      arguments: { component: 'api', level: 'INFO', message: 'over http' },
    });
    await client.close();
    const response = await post(open, 'logger_query', { start_time: since, format: 'lines' });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { logs: { message: string }[]; source: string };
    expect(body.source).toBe('recent');
    expect(body.logs.map((row) => row.message)).toEqual(['over http']);
    const summary = await post(open, 'logger_summary', { since });
    expect(((await summary.json()) as { total: number }).total).toBe(1);
  });

  it('refuses bad input naming the field, and tools that change data', async () => {
    const bad = await post(open, 'logger_query', { limit: 0 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: expect.stringContaining('limit'),
      reason: 'invalid_input',
    });
    for (const tool of ['logger_clear', 'logger_set_level', 'logger_log', 'nope']) {
      expect((await post(open, tool, {})).status, tool).toBe(404);
    }
    const broken = await post(open, 'logger_query', '{"limit":');
    expect(broken.status).toBe(400);
    expect((await post(open, 'logger_query', [1, 2])).status).toBe(400);
  });

  it('with a token set, needs it as a Bearer header (either token), never from the URL', async () => {
    expect((await post(guarded, 'logger_summary', {})).status).toBe(401);
    expect(
      (await post(guarded, 'logger_summary', {}, { authorization: 'Bearer wrong' })).status,
    ).toBe(401);
    const byUrl = await fetch(
      `http://127.0.0.1:${guarded.port}/api/tools/logger_summary?access_token=tools-secret`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
    );
    expect(byUrl.status).toBe(401);
    for (const token of ['tools-secret', 'admin-secret']) {
      const ok = await post(guarded, 'logger_summary', {}, { authorization: `Bearer ${token}` });
      expect(ok.status, token).toBe(200);
    }
  });
});
