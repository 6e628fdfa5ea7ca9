import {
  initializeParams,
  JsonRpcErrorCode,
  type JsonRpcReply,
  jsonRpcRequest,
  readToolResult,
  toolCallParams,
} from '@godot/wire';
import type { LogEntry } from './entry-buffer.js';

/** JSON-RPC id of the one `initialize` each connection sends; calls count up from 1. */
export const INITIALIZE_ID = 0;

const CLIENT_INFO = { name: '@godot/client', version: '0.1.0' };

/** The `initialize` request, sent once per connection (Godot also takes calls without it). */
export function initializeFrame(): string {
  return JSON.stringify(jsonRpcRequest(INITIALIZE_ID, 'initialize', initializeParams(CLIENT_INFO)));
}

/** A `tools/call` of `logger_log` for one entry. */
export function logCallFrame(id: number, entry: LogEntry): string {
  return JSON.stringify(jsonRpcRequest(id, 'tools/call', toolCallParams('logger_log', entry)));
}

/**
 * What a `logger_log` reply means for its entry: `acked` (queued, or
 * deliberately not queued by Godot's level filter), `busy` (-32005: send it
 * again later), or `refused`: a tool error (no `code`; the pipeline decides
 * from its reason whether to try again) or any other JSON-RPC error (final).
 */
export type ReplyOutcome =
  | { kind: 'acked' }
  | { kind: 'busy' }
  | { kind: 'refused'; reason: string; code?: number };

/** Decides from the reply's structure (wire code, `isError`), never from its text. */
export function classifyReply(reply: JsonRpcReply): ReplyOutcome {
  if (reply.error) {
    const { code, message } = reply.error;
    if (code === JsonRpcErrorCode.CallsInFlightLimit) return { kind: 'busy' };
    return { kind: 'refused', reason: message, code };
  }
  const result = readToolResult(reply.result);
  if (result.isError) return { kind: 'refused', reason: result.text ?? 'tool error' };
  return { kind: 'acked' };
}
