import { REDIS_KEYS } from '@godot/shared';
import { RawWsClient } from '@godot/testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GodotServer } from '../godot-server.js';
import {
  connectClient,
  errorText,
  payload,
  recordingLogger,
  type ServerStack,
  startServerStack,
} from '../server.fixture.js';
import { TOOL_LIST } from './tool-catalog.js';

const valid = { component: 'c', level: 'INFO', message: 'm' };

describe('bad input to logger_log', () => {
  let stack: ServerStack;
  let server: GodotServer;
  let client: Client;

  beforeAll(async () => {
    stack = await startServerStack({ MAX_ENTRY_BYTES: 4096 });
    server = await stack.start();
    client = await connectClient(server.url);
  });
  afterAll(async () => {
    await client?.close();
    await stack?.close();
  });

  it.each([
    ['missing component', { level: 'INFO', message: 'm' }, 'is required at component'],
    ['numeric component', { ...valid, component: 42 }, 'must be a string at component'],
    ['blank component', { ...valid, component: '  ' }, 'must not be empty at component'],
    [
      'long component',
      { ...valid, component: 'x'.repeat(129) },
      'at most 128 characters at component',
    ],
    ['missing level', { component: 'c', message: 'm' }, 'is required at level'],
    [
      'unknown level',
      { ...valid, level: 'FATAL' },
      'must be one of TRACE, DEBUG, INFO, WARN, ERROR',
    ],
    ['numeric level', { ...valid, level: 3 }, 'at level'],
    ['missing message', { component: 'c', level: 'INFO' }, 'is required at message'],
    ['object message', { ...valid, message: { text: 'm' } }, 'must be a string at message'],
    [
      'non-UUID trace_id',
      { ...valid, trace_id: 'req-42' },
      'must be a UUID (dashed or 32 hex digits) at trace_id',
    ],
    ['numeric trace_id', { ...valid, trace_id: 42 }, 'at trace_id'],
    ['array data', { ...valid, data: [1, 2] }, 'must be a JSON object or null at data'],
    ['string data', { ...valid, data: 'x=1' }, 'must be a JSON object or null at data'],
    ['oversized entry', { ...valid, message: 'x'.repeat(5000) }, 'message: the entry is'],
    ['oversized data', { ...valid, data: { blob: 'y'.repeat(5000) } }, 'data: the entry is'],
  ])('%s → a tool error naming the field, nothing queued', async (_name, args, expected) => {
    const before = await stack.queue.count();
    const text = errorText(await client.callTool({ name: 'logger_log', arguments: args }));
    expect(text).toContain(expected);
    expect(await stack.queue.count()).toBe(before);
    // The connection keeps serving.
    expect(payload(await client.callTool({ name: 'logger_log', arguments: valid }))).toMatchObject({
      queued: true,
    });
  });

  it('answers an unknown tool and an unknown method clearly, then serves the next call', async () => {
    const socket = await RawWsClient.connect(server.url);
    const unknownTool = await socket.request('tools/call', {
      name: 'logger_explode',
      arguments: {},
    });
    expect(JSON.stringify(unknownTool)).toContain('Tool logger_explode not found');
    const unknownMethod = await socket.request('logs/everything', {});
    expect(unknownMethod.error).toMatchObject({ code: -32601 });
    const ok = await socket.request('tools/call', { name: 'logger_log', arguments: valid });
    expect(JSON.stringify(ok.result)).toContain('"queued\\":true');
    await socket.close();
  });

  it('refuses data nested too deeply to serialize, and keeps serving', async () => {
    // Built as text: the SDK client could not serialise it either.
    const depth = 10_000;
    const data = `${'{"d":'.repeat(depth)}{}${'}'.repeat(depth)}`;
    const socket = await RawWsClient.connect(server.url);
    socket.send(
      `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"logger_log","arguments":{"component":"c","level":"INFO","message":"m","data":${data}}}}`,
    );
    const reply = (await socket.next()) as {
      result?: { isError?: boolean; content: { text: string }[] };
    };
    expect(reply.result?.isError).toBe(true);
    expect(reply.result?.content[0]?.text).toBe('data: cannot be serialized (nested too deeply)');
    await socket.close();
    expect(payload(await client.callTool({ name: 'logger_log', arguments: valid }))).toMatchObject({
      queued: true,
    });
  });

  it('counts refused calls by reason in /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    expect(text).toMatch(/godot_logs_refused_total\{reason="invalid"\} 13/);
    expect(text).toMatch(/godot_logs_refused_total\{reason="too_large"\} 2/);
    expect(text).toMatch(/godot_logs_refused_total\{reason="unserializable"\} 1/);
  });
});

describe('logger_set_level', () => {
  it('set on one server instance filters on another, and reports the previous level', async () => {
    const stack = await startServerStack();
    try {
      const [a, b] = [await stack.start(), await stack.start()];
      const [ca, cb] = [await connectClient(a.url), await connectClient(b.url)];
      const set = payload(
        await ca.callTool({
          name: 'logger_set_level',
          arguments: { component: 'noisy', level: 'warn' },
        }),
      );
      expect(set).toEqual({ status: 'ok', component: 'noisy', level: 'WARN', previous: 'TRACE' });
      const filtered = payload(
        await cb.callTool({
          name: 'logger_log',
          arguments: { component: 'noisy', level: 'INFO', message: 'x' },
        }),
      );
      expect(filtered).toEqual({ status: 'ok', queued: false, reason: "below noisy's level WARN" });
      const kept = payload(
        await cb.callTool({
          name: 'logger_log',
          arguments: { component: 'noisy', level: 'ERROR', message: 'y' },
        }),
      );
      expect(kept).toMatchObject({ queued: true });
      const other = payload(
        await cb.callTool({
          name: 'logger_log',
          arguments: { component: 'quiet', level: 'TRACE', message: 'z' },
        }),
      );
      expect(other).toMatchObject({ queued: true });
      expect(await stack.raw.hgetall(REDIS_KEYS.levels)).toEqual({ noisy: 'WARN' });
      const again = payload(
        await cb.callTool({
          name: 'godot_logger_set_level',
          arguments: { component: 'noisy', level: 'DEBUG' },
        }),
      );
      expect(again).toMatchObject({ previous: 'WARN', level: 'DEBUG' });
      await Promise.all([ca.close(), cb.close()]);
    } finally {
      await stack.close();
    }
  });
});

describe('logger_query and logger_clear through Dewey', () => {
  let stack: ServerStack;
  let client: Client;

  beforeAll(async () => {
    stack = await startServerStack();
    client = await connectClient((await stack.start()).url);
  });
  afterAll(async () => {
    await client?.close();
    await stack?.close();
  });

  const seed = async () => {
    stack.dewey.clear();
    const probe = await connectClient(stack.dewey.url);
    await probe.callTool({
      name: 'dewey_store_logs_batch',
      arguments: {
        logs: [
          {
            component: 'a',
            level: 'INFO',
            message: 'connection failed',
            trace_id: null,
            data: { attempt: 3 },
          },
          { component: 'a', level: 'DEBUG', message: 'retrying soon', trace_id: null, data: null },
          {
            component: 'b',
            level: 'ERROR',
            message: 'disk full',
            trace_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
            data: null,
          },
        ],
      },
    });
    await probe.close();
  };

  it('returns rows as text and structuredContent, data decoded, only given filters sent', async () => {
    await seed();
    const result = await client.callTool({
      name: 'logger_query',
      arguments: { component: 'a', level: 'info', search: 'fail', trace_id: null },
    });
    const { logs: rows } = payload<{ logs: { message: string; data: unknown }[] }>(result);
    expect(rows.map((row) => row.message)).toEqual(['connection failed']);
    expect(rows[0]?.data).toEqual({ attempt: 3 });
    expect(result.structuredContent).toEqual({ logs: rows, source: 'dewey', returned: 1 });
    expect(textOf(result)).toBe(JSON.stringify(result.structuredContent));
    const all = await client.callTool({ name: 'godot_logger_query', arguments: { limit: 10 } });
    expect(payload<{ logs: unknown[] }>(all).logs).toHaveLength(3);
  });

  it('refuses a bad limit before asking Dewey', async () => {
    expect(
      errorText(await client.callTool({ name: 'logger_query', arguments: { limit: 5000 } })),
    ).toContain('at limit');
  });

  it('clears through Dewey and returns its count', async () => {
    await seed();
    const result = await client.callTool({
      name: 'logger_clear',
      arguments: { before_time: new Date(Date.now() + 60_000).toISOString(), component: 'a' },
    });
    expect(payload(result)).toEqual({ status: 'ok', deleted_count: 2 });
    expect(result.structuredContent).toEqual({ status: 'ok', deleted_count: 2 });
    expect(textOf(result)).toBe(JSON.stringify(result.structuredContent));
  });

  it('logger_log and logger_set_level answer with structuredContent, their text its JSON', async () => {
    for (const [name, args] of [
      ['logger_log', valid],
      ['logger_set_level', { component: 'structured', level: 'warning' }],
    ] as const) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, name).toBeFalsy();
      expect(result.structuredContent, name).toMatchObject({ status: 'ok' });
      expect(textOf(result), name).toBe(JSON.stringify(result.structuredContent));
    }
  });

  it('says so when Dewey is down', async () => {
    await stack.dewey.stop();
    try {
      const text = errorText(await client.callTool({ name: 'logger_query', arguments: {} }));
      expect(text).toMatch(/^Dewey unavailable/);
    } finally {
      await stack.dewey.start();
    }
  });
});

/** The text of a tool result's first content item. */
function textOf(result: unknown): string {
  return (result as { content: { text: string }[] }).content[0]?.text ?? '';
}

describe('what a client sends stays bounded', () => {
  let stack: ServerStack;

  beforeAll(async () => {
    stack = await startServerStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Stores rows in the emulator as Dewey would hold them. */
  const store = async (logs: Record<string, unknown>[]) => {
    const probe = await connectClient(stack.dewey.url);
    await probe.callTool({
      name: 'dewey_store_logs_batch',
      arguments: {
        logs: logs.map((log) => ({ level: 'INFO', trace_id: null, data: null, ...log })),
      },
    });
    await probe.close();
  };

  /** The raw reply frame of one logger_query. */
  const queryFrame = async (url: string, args: object) => {
    const socket = await RawWsClient.connect(url);
    socket.send({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'logger_query', arguments: args },
    });
    const frame = await socket.nextText();
    await socket.close();
    return frame;
  };

  it('20,000 unknown tool names leave /metrics as small as it was', async () => {
    const server = await stack.start();
    const metrics = async () => (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
    await metrics();
    const before = await metrics();
    const socket = await RawWsClient.connect(server.url);
    const count = 20_000;
    for (let id = 0; id < count; id++) {
      socket.send({
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name: `no_such_tool_${id}_${'x'.repeat(30)}`, arguments: {} },
      });
    }
    for (let id = 0; id < count; id++) await socket.nextText();
    await socket.close();
    const after = await metrics();
    console.info(`/metrics: ${before.length} bytes before, ${after.length} after ${count} names`);
    expect(after).not.toContain('no_such_tool_');
    expect(after).toMatch(/godot_tool_call_duration_seconds_count\{tool="unknown"\} 20000$/m);
    // One `unknown` histogram (15 series) is what they add; the process metrics vary a little.
    expect(after.length).toBeLessThan(before.length + 16 * 1024);
  }, 60_000);

  it('keeps a logger_query reply within max_bytes and MAX_REPLY_BYTES; next_cursor pages through every row once', async () => {
    const cap = 64 * 1024;
    const [capped, uncapped] = [await stack.start({ MAX_REPLY_BYTES: cap }), await stack.start()];
    stack.dewey.clear();
    // Data of 5 kB, 10 kB, … 100 kB: about 1 MB of rows.
    const data = (index: number) => ({ blob: 'y'.repeat((index + 1) * 5_000), note: 'say "hi"' });
    await store(
      Array.from({ length: 20 }, (_, index) => ({
        component: 'big',
        message: `row ${index}`,
        data: data(index),
      })),
    );
    const reply = (frame: string) =>
      JSON.parse(frame).result as {
        content: { text: string }[];
        structuredContent: {
          logs: { message: string; data: unknown }[];
          truncated?: boolean;
          returned: number;
          next_cursor?: string;
        };
      };
    // Asked for everything, each reply stays within its budget; the rows
    // that do not fit are left whole to the next page.
    for (const [server, budget] of [
      [uncapped, 1_000_000],
      [capped, cap - 1024],
    ] as const) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 25; page++) {
        const frame = await queryFrame(server.url, {
          component: 'big',
          max_bytes: 1_000_000,
          ...(cursor ? { cursor } : {}),
        });
        const { content, structuredContent } = reply(frame);
        expect(Buffer.byteLength(content[0]?.text ?? '')).toBeLessThanOrEqual(budget);
        expect(content[0]?.text).toBe(JSON.stringify(structuredContent));
        expect(structuredContent.returned).toBe(structuredContent.logs.length);
        for (const log of structuredContent.logs) {
          const whole = data(Number(log.message.slice('row '.length)));
          // Only a row that could never fit whole is shortened, and marked.
          const bytes = Buffer.byteLength(JSON.stringify(whole));
          expect(log.data).toEqual(bytes + 200 > budget ? { _truncated: true, bytes } : whole);
          seen.push(log.message);
        }
        cursor = structuredContent.next_cursor;
        if (!cursor) break;
        expect(structuredContent.truncated).toBe(true);
      }
      expect(seen).toEqual(Array.from({ length: 20 }, (_, index) => `row ${19 - index}`));
    }
  });

  it('shortens a row that alone exceeds the budget, and says so', async () => {
    const server = await stack.start();
    stack.dewey.clear();
    await store([
      { component: 'chatty', message: 'short' },
      {
        component: 'chatty',
        message: `start ${'m'.repeat(200_000)}`,
        data: { big: 'd'.repeat(50_000) },
      },
    ]);
    const frame = await queryFrame(server.url, { component: 'chatty', max_bytes: 8000 });
    const { content, structuredContent } = JSON.parse(frame).result as {
      content: { text: string }[];
      structuredContent: { logs: { message: string; data: unknown }[]; truncated?: boolean };
    };
    expect(Buffer.byteLength(content[0]?.text ?? '')).toBeLessThanOrEqual(8000);
    expect(structuredContent.truncated).toBe(true);
    const [first] = structuredContent.logs;
    expect(first?.message).toMatch(/^start m+…\[truncated: 200006 bytes\]$/);
    expect(first?.data).toEqual({ _truncated: true, bytes: 50_010 });
  });

  it('logs logger_set_level and logger_clear calls with their arguments and the caller address', async () => {
    const { logger, lines } = recordingLogger();
    const server = await stack.start({}, { logger });
    const client = await connectClient(server.url);
    const before = new Date(Date.now() - 60_000).toISOString();
    try {
      await client.callTool({
        name: 'logger_set_level',
        arguments: { component: 'audited', level: 'warn' },
      });
      await client.callTool({
        name: 'logger_clear',
        arguments: { before_time: before, component: 'audited', level: 'debug' },
      });
    } finally {
      await client.close();
    }
    const audited = lines.filter((line) => line.msg?.startsWith('audit: '));
    expect(audited).toEqual([
      {
        level: 'info',
        msg: 'audit: logger_set_level',
        obj: expect.objectContaining({
          tool: 'logger_set_level',
          args: { component: 'audited', level: 'WARN' },
          remote: '127.0.0.1',
          ok: true,
        }),
      },
      {
        level: 'info',
        msg: 'audit: logger_clear',
        obj: expect.objectContaining({
          tool: 'logger_clear',
          args: { before_time: before, component: 'audited', level: 'DEBUG' },
          remote: '127.0.0.1',
          ok: true,
        }),
      },
    ]);
  });
});

describe('tool errors say why, in a form the SDK Client accepts', () => {
  let stack: ServerStack;
  let server: GodotServer;

  beforeAll(async () => {
    stack = await startServerStack({ MAX_ENTRY_BYTES: 4096 });
    server = await stack.start();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const transports: Record<string, () => Promise<Client>> = {
    WebSocket: () => connectClient(server.url),
    'Streamable HTTP': async () => {
      const client = new Client({ name: 'test', version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${server.port}/mcp`)),
      );
      return client;
    },
  };

  /** `_meta["godot/error"]` of a tool error, failing if the result was not one. */
  const why = (result: unknown) => {
    errorText(result);
    return (result as { _meta?: Record<string, unknown> })._meta?.['godot/error'];
  };

  for (const [name, connect] of Object.entries(transports)) {
    it(`${name}: every refusal and failure carries its reason, the text unchanged`, async () => {
      const client = await connect();
      try {
        // Listing first makes the SDK Client check every result against its output schema.
        expect((await client.listTools()).tools).toHaveLength(TOOL_LIST.tools.length);
        const bad = await client.callTool({
          name: 'logger_log',
          arguments: { ...valid, trace_id: 'req-42' },
        });
        expect(errorText(bad)).toBe(
          'MCP error -32602: Input validation error: Invalid arguments for tool logger_log: must be a UUID (dashed or 32 hex digits) at trace_id',
        );
        expect(why(bad)).toEqual({ reason: 'invalid_input', retryable: false });
        const alias = await client.callTool({
          name: 'godot_logger_query',
          arguments: { limit: 0 },
        });
        expect(why(alias)).toEqual({ reason: 'invalid_input', retryable: false });
        const large = await client.callTool({
          name: 'logger_log',
          arguments: { ...valid, message: 'x'.repeat(5000) },
        });
        expect(errorText(large)).toMatch(/^message: the entry is/);
        expect(why(large)).toEqual({ reason: 'entry_too_large', retryable: false });
        const unknown = await client.callTool({ name: 'logger_explode', arguments: {} });
        expect(errorText(unknown)).toBe('MCP error -32602: Tool logger_explode not found');
        expect(why(unknown)).toEqual({ reason: 'unknown_tool', retryable: false });
        const ok = await client.callTool({ name: 'logger_log', arguments: valid });
        expect(ok.isError).toBeFalsy();
        expect(ok._meta).toBeUndefined();
      } finally {
        await client.close();
      }
    });
  }

  it('a Dewey outage is retryable', async () => {
    const client = await connectClient(server.url);
    await client.listTools();
    await stack.dewey.stop();
    try {
      const down = await client.callTool({ name: 'logger_query', arguments: {} });
      expect(errorText(down)).toMatch(/^Dewey unavailable/);
      expect(why(down)).toEqual({ reason: 'dewey_unavailable', retryable: true });
    } finally {
      await stack.dewey.start();
      await client.close();
    }
  });
});
