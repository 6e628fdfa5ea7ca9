import { type JsonRpcReply, readToolResult } from '@godot/wire';

/**
 * The pipelined JSON-RPC client the tests, load generator and benchmarks
 * drive Godot with: `@godot/wire`'s, under the name these callers know.
 */
export { JsonRpcWsClient as McpWsClient } from '@godot/wire';

/** What a `logger_log` reply said. */
export type LogCallResult =
  | { kind: 'acknowledged'; id: string }
  | { kind: 'filtered'; reason: string }
  | { kind: 'refused'; reason: string };

/** Reads a `logger_log` reply: a queued ack, a filtered entry, or a refusal (tool or JSON-RPC error). */
export function readLogReply(reply: JsonRpcReply): LogCallResult {
  if (reply.error)
    return { kind: 'refused', reason: `rpc ${reply.error.code}: ${reply.error.message}` };
  const result = readToolResult(reply.result);
  const text = result.text ?? '';
  if (result.isError) return { kind: 'refused', reason: text };
  try {
    const payload = JSON.parse(text) as { queued?: boolean; id?: unknown; reason?: string };
    if (payload.queued === true) return { kind: 'acknowledged', id: String(payload.id) };
    return { kind: 'filtered', reason: String(payload.reason) };
  } catch {
    return { kind: 'refused', reason: `unreadable reply: ${text.slice(0, 200)}` };
  }
}
