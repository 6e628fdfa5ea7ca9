import type { Logger } from '@godot/shared';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { TOOL_ALIASES } from './godot-tools.js';
import type { ServerMetrics } from './server-metrics.js';

interface Call {
  tool: string;
  started: number;
}

/**
 * Watches one connection's tool calls at the message level, before the
 * `McpServer` sees them: maps the Python Godot's tool names onto ours (aliases
 * stay out of `tools/list`), times every call, and counts and logs the calls
 * the SDK refused before any handler ran (invalid input, unknown tool), which
 * no handler could count. Install before `McpServer.connect`: the SDK calls a
 * handler already set on the transport first, with the same message object.
 */
export function tapToolCalls(transport: Transport, metrics: ServerMetrics, logger: Logger): void {
  const calls = new Map<string | number, Call>();
  transport.onmessage = (message: JSONRPCMessage) => {
    if (
      !('method' in message) ||
      message.method !== 'tools/call' ||
      !('id' in message) ||
      message.id === undefined
    ) {
      return;
    }
    const params = message.params as { name?: unknown } | undefined;
    if (typeof params?.name !== 'string') return;
    const tool = TOOL_ALIASES[params.name] ?? params.name;
    params.name = tool;
    calls.set(message.id, { tool, started: performance.now() });
  };
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    const id = 'id' in message ? message.id : undefined;
    const call = id === undefined || id === null ? undefined : calls.get(id);
    if (call && id !== undefined && id !== null) {
      calls.delete(id);
      if ('result' in message)
        observe(call, message.result as { isError?: boolean; content?: { text?: string }[] });
    }
    return send(message, options);
  };

  function observe(call: Call, result: { isError?: boolean; content?: { text?: string }[] }): void {
    metrics.toolDuration.observe({ tool: call.tool }, (performance.now() - call.started) / 1000);
    const text = result.isError ? (result.content?.[0]?.text ?? '') : '';
    // Our handlers' errors never start with "MCP error"; the SDK's own do.
    if (!text.startsWith('MCP error')) return;
    if (call.tool === 'logger_log') metrics.refused.inc({ reason: 'invalid' });
    logger.warn({ tool: call.tool, err: text.slice(0, 500) }, 'tool call refused');
  }
}
