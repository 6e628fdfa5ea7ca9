import type { Logger } from '@godot/shared';
import { freePort, RawWsClient, toolPayload } from '@godot/testkit';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Client as SdkClient } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GodotServer, startGodotServer } from './godot-server.js';
import { TOOL_LIST } from './mcp/tool-catalog.js';
import {
  connectClient,
  entriesOfJob,
  errorText,
  payload,
  type ServerStack,
  startServerStack,
} from './server.fixture.js';

describe('the tools over WebSocket and Streamable HTTP', () => {
  let stack: ServerStack;
  let server: GodotServer;
  let client: Client;

  beforeAll(async () => {
    stack = await startServerStack();
    server = await stack.start();
    client = await connectClient(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await stack?.close();
  });

  it('lists exactly the tools, aliases hidden', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'logger_clear',
      'logger_log',
      'logger_query',
      'logger_set_level',
      'logger_summary',
      'logger_tail',
      'logger_trace',
    ]);
    const query = tools.find((tool) => tool.name === 'logger_query');
    expect(query?.outputSchema).toMatchObject({
      type: 'object',
      properties: { logs: { type: 'array' } },
    });
  });

  it('queues a normalised, stamped entry in a BullMQ job', async () => {
    const before = Date.now();
    const result = await client.callTool({
      name: 'logger_log',
      arguments: {
        component: ' relay ',
        level: 'warning',
        message: 'disk at 91%',
        trace_id: 'ABCDEF0123456789ABCDEF0123456789',
        data: { disk: '/dev/vda', used: 0.91 },
      },
    });
    const reply = payload<{ status: string; queued: boolean; id: string }>(result);
    expect(reply).toMatchObject({ status: 'ok', queued: true });
    const entries = await entriesOfJob(stack.queue, reply.id);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toEqual({
      component: 'relay',
      level: 'WARN',
      message: 'disk at 91%',
      trace_id: 'abcdef01-2345-6789-abcd-ef0123456789',
      data: { disk: '/dev/vda', used: 0.91 },
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(Date.parse(entries[0]?.created_at ?? '')).toBeGreaterThanOrEqual(before);
  });

  it('replaces NUL characters and says so', async () => {
    const result = await client.callTool({
      name: 'logger_log',
      arguments: {
        component: 'c',
        level: 'INFO',
        message: 'a\u0000b',
        data: { 'k\u0000': ['\u0000'] },
      },
    });
    const reply = payload<{ id: string; sanitized: boolean }>(result);
    expect(reply.sanitized).toBe(true);
    const [entry] = await entriesOfJob(stack.queue, reply.id);
    expect(entry).toMatchObject({ message: 'a\uFFFDb', data: { 'k\uFFFD': ['\uFFFD'] } });
  });

  it('serves the same tools over Streamable HTTP at /mcp', async () => {
    const http = new SdkClient({ name: 'http-test', version: '1.0.0' });
    await http.connect(
      new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${server.port}/mcp`)),
    );
    try {
      expect((await http.listTools()).tools).toHaveLength(TOOL_LIST.tools.length);
      const reply = payload<{ id: string }>(
        await http.callTool({
          name: 'logger_log',
          arguments: { component: 'http', level: 'ERROR', message: 'via http' },
        }),
      );
      expect((await entriesOfJob(stack.queue, reply.id))[0]).toMatchObject({
        component: 'http',
        level: 'ERROR',
      });
    } finally {
      await http.close();
    }
  });

  it('accepts Python-style raw clients: socket per line, no initialize, nulls, alias', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      const socket = await RawWsClient.connect(server.url);
      if (i % 2 === 0) {
        const init = await socket.request('initialize', {
          protocolVersion: '2024-11-05',
          capabilities: {},
          clientInfo: { name: 'python', version: '0' },
        });
        expect(init.result).toMatchObject({ serverInfo: { name: 'godot' } });
      }
      const reply = await socket.request('tools/call', {
        name: i % 3 === 0 ? 'godot_logger_log' : 'logger_log',
        arguments: {
          component: 'py',
          level: 'info',
          message: `line ${i}`,
          trace_id: null,
          data: null,
        },
      });
      const body = toolPayload(reply) as { queued: boolean; id: string };
      expect(body.queued).toBe(true);
      ids.push(body.id);
      await socket.close();
    }
    // One call at a time: each is a flush, and so a job, of its own.
    const entries = (await Promise.all(ids.map((id) => entriesOfJob(stack.queue, id)))).flat();
    expect(entries.map((entry) => entry.message)).toEqual(
      Array.from({ length: 20 }, (_, i) => `line ${i}`),
    );
    expect(entries.every((entry) => entry.level === 'INFO' && entry.trace_id === null)).toBe(true);
  });

  it('answers malformed, binary, batch and oversized frames, counts them, and keeps serving', async () => {
    const socket = await RawWsClient.connect(server.url);
    socket.send('{not json');
    expect((await socket.next()).error).toMatchObject({ code: -32700 });
    socket.send(Buffer.from('{"jsonrpc":"2.0"}'), { binary: true });
    expect((await socket.next()).error).toMatchObject({ code: -32700 });
    socket.send([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }]);
    expect((await socket.next()).error).toMatchObject({ code: -32600 });
    const ok = await socket.request('tools/call', {
      name: 'logger_log',
      arguments: { component: 'f', level: 'INFO', message: 'after' },
    });
    expect(toolPayload(ok)).toMatchObject({ queued: true });
    socket.send('x'.repeat(5 * 1024 * 1024));
    expect((await socket.closed).code).toBe(1009);

    const scrape = async () => (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    await expect.poll(scrape).toMatch(/^godot_frames_refused_total\{reason="too_large"\} 1$/m);
    expect(await scrape()).toMatch(/^godot_frames_refused_total\{reason="invalid"\} 3$/m);
  });
});

describe('safe defaults at start', () => {
  let stack: ServerStack;
  const started: GodotServer[] = [];

  beforeAll(async () => {
    stack = await startServerStack();
  });
  afterAll(async () => {
    await Promise.allSettled(started.map((server) => server.close()));
    await stack?.close();
  });

  /** Starts a server on the shared stack whose own log is kept as text lines. */
  async function startRecorded(overrides: Parameters<ServerStack['start']>[0] = {}) {
    const lines: { level: string; text: string }[] = [];
    const at =
      (level: string) =>
      (obj: object, msg?: string): void => {
        lines.push({ level, text: `${msg ?? ''} ${JSON.stringify(obj)}` });
      };
    const logger: Logger = {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
    };
    const server = await startGodotServer({ ...stack.config, ...overrides }, { logger });
    started.push(server);
    return { server, lines };
  }

  it('warns at start when AUTH_TOKEN is unset, and still accepts clients without a token', async () => {
    const { server, lines } = await startRecorded({ AUTH_TOKEN: undefined });
    expect(
      lines.filter((line) => line.level === 'warn' && line.text.includes('AUTH_TOKEN is unset')),
    ).toHaveLength(1);
    const client = await connectClient(server.url);
    try {
      const reply = payload(
        await client.callTool({
          name: 'logger_log',
          arguments: { component: 'open', level: 'INFO', message: 'no token needed' },
        }),
      );
      expect(reply).toMatchObject({ queued: true });
    } finally {
      await client.close();
    }
  });

  it('does not warn when AUTH_TOKEN is set', async () => {
    const { lines } = await startRecorded({ AUTH_TOKEN: 'client-secret' });
    expect(lines.some((line) => line.text.includes('AUTH_TOKEN is unset'))).toBe(false);
  });

  it('keeps credentials in DEWEY_URL out of logger_query replies and its own log', async () => {
    // Nothing listens there: Dewey is down, and the reply says so, naming the URL.
    const deweyUrl = `ws://godot:s3cret@127.0.0.1:${await freePort()}/?token=s3cret`;
    const { server, lines } = await startRecorded({ DEWEY_URL: deweyUrl });
    const client = await connectClient(server.url);
    try {
      const text = errorText(await client.callTool({ name: 'logger_query', arguments: {} }));
      expect(text).toContain('cannot connect to Dewey at ws://godot:***@127.0.0.1:');
      expect(text).toContain('?token=***');
      expect(text).not.toContain('s3cret');
    } finally {
      await client.close();
    }
    const log = lines.map((line) => line.text).join('\n');
    expect(log).toContain('dewey: not reachable yet');
    expect(log).not.toContain('s3cret');
  });
});
