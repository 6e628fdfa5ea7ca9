import type { LogEntry } from './entry-buffer.js';

/** JSON-RPC id of the one `initialize` each connection sends; calls count up from 1. */
export const INITIALIZE_ID = 0;

/** The wire error Godot answers when a connection has too many calls in flight. */
export const TOO_MANY_IN_FLIGHT = -32005;

const CLIENT_INFO = { name: '@godot/client', version: '0.1.0' };

/** The `initialize` request, sent once per connection (Godot also takes calls without it). */
export function initializeFrame(): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id: INITIALIZE_ID,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: CLIENT_INFO },
  });
}

/** A `tools/call` of `logger_log` for one entry. */
export function logCallFrame(id: number, entry: LogEntry): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'logger_log', arguments: entry },
  });
}

/** A reply frame, as far as this client reads it. */
export interface JsonRpcReply {
  id: unknown;
  result?: { isError?: boolean; content?: { type?: string; text?: string }[] };
  error?: { code?: unknown; message?: unknown };
}

/**
 * What a `logger_log` reply means for its entry: `acked` (queued, or
 * deliberately not queued by Godot's level filter), `busy` (-32005: send it
 * again later), or `refused`: a tool error (no `code`; the pipeline gives it
 * a few more tries) or any other JSON-RPC error (final).
 */
export type ReplyOutcome =
  | { kind: 'acked' }
  | { kind: 'busy' }
  | { kind: 'refused'; reason: string; code?: number };

/** Parses one text frame; undefined when it is not a JSON-RPC reply. */
export function parseReply(text: string): JsonRpcReply | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || !('id' in value)) return undefined;
    return value as JsonRpcReply;
  } catch {
    return undefined;
  }
}

/** Decides from the reply's structure (wire code, `isError`), never from its text. */
export function classifyReply(reply: JsonRpcReply): ReplyOutcome {
  if (reply.error) {
    const code = typeof reply.error.code === 'number' ? reply.error.code : undefined;
    if (code === TOO_MANY_IN_FLIGHT) return { kind: 'busy' };
    const reason = typeof reply.error.message === 'string' ? reply.error.message : 'JSON-RPC error';
    return code === undefined ? { kind: 'refused', reason } : { kind: 'refused', reason, code };
  }
  if (reply.result?.isError) {
    const text = reply.result.content?.find((c) => typeof c.text === 'string')?.text;
    return { kind: 'refused', reason: text ?? 'tool error' };
  }
  return { kind: 'acked' };
}
