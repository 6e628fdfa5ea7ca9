import { type Logger, silentLogger } from '@godot/shared';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createServerMetrics } from '../ops/server-metrics.js';
import { queryOutputSchema } from '../query/query-result.js';
import { recordingLogger } from '../server.fixture.js';
import { advertisedSchema, type JsonSchema } from './advertised-schema.js';
import { createGodotMcpServer } from './godot-mcp-server.js';
import { TOOL_CATALOG, TOOL_LIST } from './tool-catalog.js';
import { TOOL_ERROR_META_KEY, type ToolErrorReason } from './tool-result.js';
import type { GodotToolDeps } from './tools/define-tool.js';
import { clearInputShape, clearOutputSchema } from './tools/logger-clear.js';
import { logInputShape, logOutputSchema } from './tools/logger-log.js';
import { queryInputShape } from './tools/logger-query.js';
import { setLevelInputShape, setLevelOutputSchema } from './tools/logger-set-level.js';
import { summaryInputSchema, summaryOutputSchema } from './tools/logger-summary.js';
import { tailInputSchema, tailOutputSchema } from './tools/logger-tail.js';
import { traceInputSchema, traceOutputSchema } from './tools/logger-trace.js';

/**
 * The tools registered on an `McpServer`, as Godot served them before
 * it built its tool list once per process: the reference for what clients
 * see. Handlers are never reached by the calls below.
 */
function referenceServer(): McpServer {
  const server = new McpServer(
    { name: 'godot', version: '0.1.0' },
    {
      instructions:
        'Central logging: logger_log queues an entry; logger_query reads entries back from Dewey.',
    },
  );
  const shapes: Record<string, [z.ZodRawShape, z.ZodRawShape?]> = {
    logger_log: [logInputShape, logOutputSchema.shape],
    logger_summary: [summaryInputSchema.shape, summaryOutputSchema.shape],
    logger_trace: [traceInputSchema.shape, traceOutputSchema.shape],
    logger_query: [queryInputShape, queryOutputSchema.shape],
    logger_tail: [tailInputSchema.shape, tailOutputSchema.shape],
    logger_clear: [clearInputShape, clearOutputSchema.shape],
    logger_set_level: [setLevelInputShape, setLevelOutputSchema.shape],
  };
  for (const [name, [inputSchema, outputSchema]] of Object.entries(shapes)) {
    const { description, annotations } = TOOL_CATALOG.get(name)?.definition ?? {};
    server.registerTool(name, { description, inputSchema, outputSchema, annotations }, () => {
      throw new Error('not reached');
    });
  }
  return server;
}

/** Dependencies that fail the test if a tool ever runs. */
function idleDeps(logger: Logger = silentLogger): GodotToolDeps {
  const untouchable = new Proxy(
    {},
    {
      get(_target, key) {
        throw new Error(`tool ran: ${String(key)}`);
      },
    },
  ) as never;
  return {
    ingest: untouchable,
    levels: untouchable,
    dewey: untouchable,
    metrics: createServerMetrics(),
    logger,
    maxReplyBytes: 8 * 1024 * 1024,
  };
}

/** Sends raw JSON-RPC messages to a server and collects the raw replies. */
async function exchange(
  server: { connect(transport: Transport): Promise<void> },
  messages: JSONRPCMessage[],
): Promise<unknown[]> {
  const [client, end] = InMemoryTransport.createLinkedPair();
  const replies: unknown[] = [];
  client.onmessage = (message) => replies.push(message);
  await server.connect(end);
  await client.start();
  for (const message of messages) await client.send(message);
  await expect.poll(() => replies.length).toBe(messages.filter((m) => 'id' in m).length);
  await client.close();
  // Replies come as handlers finish, not in request order.
  return replies.sort(
    (a, b) => Number((a as { id: unknown }).id) - Number((b as { id: unknown }).id),
  );
}

const call = (id: number, name: string, args?: unknown): JSONRPCMessage =>
  ({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: args === undefined ? { name } : { name, arguments: args },
  }) as JSONRPCMessage;

/** McpServer's `tools/list` reply with its schemas written as Godot advertises them. */
function advertised(reply: unknown): unknown {
  const { result } = reply as { result: { tools: Record<string, unknown>[] } };
  const tools = result.tools.map((tool) => {
    const out: Record<string, unknown> = {
      ...tool,
      inputSchema: advertisedSchema(tool.inputSchema as JsonSchema, 'input'),
    };
    if (tool.outputSchema)
      out.outputSchema = advertisedSchema(tool.outputSchema as JsonSchema, 'output');
    return out;
  });
  return { ...(reply as object), result: { ...result, tools } };
}

/** Every sub-schema of a JSON schema, with its path. */
function* subschemas(schema: unknown, path = ''): Generator<[string, Record<string, unknown>]> {
  if (typeof schema !== 'object' || schema === null) return;
  if (Array.isArray(schema)) {
    for (const [index, item] of schema.entries()) yield* subschemas(item, `${path}[${index}]`);
    return;
  }
  const record = schema as Record<string, unknown>;
  yield [path, record];
  for (const key of ['properties', 'items', 'anyOf', 'additionalProperties', 'propertyNames']) {
    const value = record[key];
    if (key === 'properties' && value) {
      for (const [name, sub] of Object.entries(value)) yield* subschemas(sub, `${path}.${name}`);
    } else if (value !== undefined) yield* subschemas(value, `${path}/${key}`);
  }
}

describe('the tool catalog', () => {
  it("lists what McpServer.registerTool listed, key for key, with Godot's advertised schemas", async () => {
    const request = { jsonrpc: '2.0', id: 1, method: 'tools/list' } as const;
    const [reference] = await exchange(referenceServer(), [request]);
    const [ours] = await exchange(createGodotMcpServer(idleDeps()), [request]);
    expect(JSON.stringify(ours)).toBe(JSON.stringify(advertised(reference)));
  });

  it('advertises valid JSON schemas without type arrays or empty schemas, a level enum everywhere', () => {
    // The SDK client's validator: it compiles (and so checks) every schema it is given.
    const ajv = new AjvJsonSchemaValidator();
    const levels = ['ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE', 'WARNING'];
    let levelFields = 0;
    for (const tool of TOOL_LIST.tools) {
      expect(tool.outputSchema, tool.name).toBeDefined();
      for (const schema of [tool.inputSchema, tool.outputSchema]) {
        expect(() => ajv.getValidator(schema as never), tool.name).not.toThrow();
        for (const [path, sub] of subschemas(schema)) {
          expect(Array.isArray(sub.type), `${tool.name}${path}`).toBe(false);
          expect(
            Object.keys(sub).filter((key) => key !== 'description').length,
            `${tool.name}${path}`,
          ).toBeGreaterThan(0);
        }
      }
      const level = tool.inputSchema.properties?.level as { enum?: string[] } | undefined;
      if (level) {
        levelFields++;
        expect(level.enum, tool.name).toEqual(levels);
      }
    }
    // Every tool but logger_trace, which reads one trace whatever its levels.
    expect(levelFields).toBe(TOOL_LIST.tools.length - 1);
  });

  it('keeps the tools/list reply under 24 KiB', async () => {
    // A client lists the tools once per connection, and a model reads the
    // list into its context: the seven tools' schemas and descriptions fit
    // in about 20 KiB; a list past 24 KiB has grown by accident.
    const [reply] = await exchange(createGodotMcpServer(idleDeps()), [
      { jsonrpc: '2.0', id: 50_000, method: 'tools/list' },
    ]);
    expect(Buffer.byteLength(JSON.stringify(reply))).toBeLessThan(24 * 1024);
  });

  it('still accepts null for optional fields and lower-case levels at runtime', () => {
    const log = TOOL_CATALOG.get('logger_log')?.input.safeParse({
      component: 'c',
      level: 'warning',
      message: 'm',
      trace_id: null,
      data: null,
    });
    expect(log?.data).toMatchObject({ level: 'WARN', trace_id: null, data: null });
    const query = TOOL_CATALOG.get('logger_query')?.input.safeParse({
      level: 'debug',
      component: null,
      start_time: null,
      limit: null,
    });
    expect(query?.success).toBe(true);
  });

  it('refuses bad calls with the same replies as McpServer, word for word', async () => {
    const valid = { component: 'c', level: 'INFO', message: 'm' };
    const messages: JSONRPCMessage[] = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: {} } as JSONRPCMessage,
      call(2, 'logger_explode', valid),
      call(3, 'logger_log'),
      call(4, 'logger_log', { ...valid, trace_id: 'req-42', data: [1] }),
      call(5, 'logger_log', { ...valid, component: ' ', level: 'FATAL' }),
      call(6, 'logger_query', { limit: 0, start_time: 'yesterday' }),
      call(7, 'logger_clear', { level: 5 }),
      call(8, 'logger_set_level', {}),
      call(9, 'logger_log', null),
      call(10, 'logger_log', [valid]),
      { jsonrpc: '2.0', id: 11, method: 'tools/call', params: { arguments: valid } },
      { jsonrpc: '2.0', id: 12, method: 'tools/call', params: { name: 'x', task: 'soon' } },
      { jsonrpc: '2.0', id: 13, method: 'tools/list', params: { cursor: 5 } },
      { jsonrpc: '2.0', id: 14, method: 'resources/list' },
      { jsonrpc: '2.0', id: 15, method: 'ping' },
    ];
    const reference = await exchange(referenceServer(), messages);
    const ours = await exchange(createGodotMcpServer(idleDeps()), messages);
    // McpServer's replies, each tool error with Godot's reason added in `_meta`.
    const reasons: Record<number, ToolErrorReason> = { 2: 'unknown_tool' };
    for (let id = 3; id <= 8; id++) reasons[id] = 'invalid_input';
    expect(ours).toEqual(
      reference.map((reply) => {
        const { id, result } = reply as { id: number; result?: object };
        const reason = reasons[id];
        if (!reason) return reply;
        expect(result, `reply ${id}`).toMatchObject({ isError: true });
        const _meta = { [TOOL_ERROR_META_KEY]: { reason, retryable: false } };
        return { ...(reply as object), result: { ...result, _meta } };
      }),
    );
  });

  it('counts refused logger_log calls, and labels names it does not serve `unknown`', async () => {
    const deps = idleDeps();
    await exchange(createGodotMcpServer(deps), [
      call(1, 'logger_log', { component: 'c' }),
      call(2, 'godot_logger_log', { level: 'INFO' }),
      call(3, 'logger_query', { limit: -1 }),
      call(4, 'no_such_tool_42', {}),
    ]);
    const text = await deps.metrics.registry.metrics();
    expect(text).toMatch(/^godot_logs_refused_total\{reason="invalid"\} 2$/m);
    expect(text).toMatch(/godot_tool_call_duration_seconds_count\{tool="logger_log"\} 2$/m);
    expect(text).toMatch(/godot_tool_call_duration_seconds_count\{tool="unknown"\} 1$/m);
    expect(text).not.toContain('no_such_tool_42');
  });

  it("answers names of Object.prototype's members as unknown tools, not as its members", async () => {
    const deps = idleDeps();
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
    const replies = await exchange(
      createGodotMcpServer(deps),
      names.map((name, index) => call(index + 1, name, {})),
    );
    expect(replies.map((reply) => (reply as { result: unknown }).result)).toEqual(
      names.map((name) => ({
        content: [{ type: 'text', text: `MCP error -32602: Tool ${name} not found` }],
        isError: true,
        _meta: { 'godot/error': { reason: 'unknown_tool', retryable: false } },
      })),
    );
    const text = await deps.metrics.registry.metrics();
    expect(text).toMatch(/godot_tool_call_duration_seconds_count\{tool="unknown"\} 5$/m);
    for (const name of names) expect(text).not.toContain(`tool="${name}"`);
  });

  it('repeats only the first 100 characters of a long unknown name, in its log and its reply', async () => {
    const { logger, lines } = recordingLogger();
    const name = `x${'y'.repeat(9_998)}z`;
    const [reply] = await exchange(createGodotMcpServer(idleDeps(logger)), [call(1, name, {})]);
    const clipped = `x${'y'.repeat(99)}…`;
    expect(JSON.stringify(reply)).toContain(`Tool ${clipped} not found`);
    expect(JSON.stringify(reply)).not.toContain('yz');
    const refused = lines.filter((line) => line.msg === 'tool call refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.obj).toMatchObject({ tool: 'unknown', name: clipped });
    const logged = JSON.stringify(refused[0]);
    expect(logged).not.toContain('yz');
    expect(logged.length).toBeLessThan(400);
  });

  it('logs logger_set_level and logger_clear calls with the caller address, or null without one', async () => {
    const { logger, lines } = recordingLogger();
    const deps: GodotToolDeps = {
      ...idleDeps(logger),
      levels: { set: async () => 'TRACE' } as unknown as GodotToolDeps['levels'],
      dewey: {
        clearLogs: async () => ({ status: 'ok', deleted_count: 7 }),
      } as unknown as GodotToolDeps['dewey'],
    };
    const before = '2026-11-24T00:00:00Z';
    await exchange(createGodotMcpServer(deps, { remoteAddress: '10.1.2.3' }), [
      call(1, 'logger_set_level', { component: 'noisy', level: 'warning' }),
      call(2, 'godot_logger_clear', { before_time: before, component: 'noisy' }),
      call(3, 'logger_clear', { level: 'LOUD' }),
    ]);
    await exchange(createGodotMcpServer(deps), [
      call(1, 'logger_set_level', { component: 'quiet', level: 'ERROR' }),
    ]);
    const audited = lines.filter((line) => line.msg?.startsWith('audit: '));
    expect(audited.map(({ level, obj }) => ({ level, obj }))).toEqual([
      {
        level: 'info',
        obj: {
          tool: 'logger_set_level',
          args: { component: 'noisy', level: 'WARN' },
          remote: '10.1.2.3',
          ok: true,
          reply: '{"status":"ok","component":"noisy","level":"WARN","previous":"TRACE"}',
        },
      },
      {
        level: 'info',
        obj: {
          tool: 'logger_clear',
          args: { before_time: before, component: 'noisy' },
          remote: '10.1.2.3',
          ok: true,
          reply: '{"status":"ok","deleted_count":7}',
        },
      },
      {
        level: 'info',
        obj: expect.objectContaining({ tool: 'logger_set_level', remote: null, ok: true }),
      },
    ]);
    // Invalid input never reaches the tool: it is refused (and logged as such), not audited.
    expect(lines.filter((line) => line.msg === 'tool call refused')).toHaveLength(1);
  });
});
