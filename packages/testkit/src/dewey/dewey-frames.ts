import { errorReply, resultReply } from '@godot/wire';
import { DeweyErrorCode, DeweyRpcError, pythonTypeName } from './dewey-rpc-error.js';

/**
 * The frames only Dewey writes: its `initialize` result, its tool results and
 * the error replies of its catch-all. Plain JSON-RPC replies are `@godot/wire`'s
 * `resultReply` and `errorReply` (same key order as Dewey's).
 */

/** What Dewey answers to `initialize`, whatever the client asked (docs/dewey-contract.md, "Handshake"). */
export const DEWEY_INITIALIZE_RESULT = {
  protocolVersion: '2024-11-05',
  capabilities: { tools: {} },
  serverInfo: { name: 'dewey-mcp-server', version: '1.0.0' },
} as const;

/** A JSON-RPC id as Dewey echoes it: whatever the request had, or null. */
export type JsonRpcId = unknown;

/** A request frame once it is known to be a JSON object. */
export interface ParsedRequest {
  /** `request.get("id")`: null for notifications. */
  id: JsonRpcId;
  method: unknown;
  message: Record<string, unknown>;
}

/** A tool result: the payload as indented JSON in one text content, no `isError`. */
export function toolResultFrame(payload: unknown, id: JsonRpcId): object {
  return resultReply({ content: [{ type: 'text', text: JSON.stringify(payload, null, 2) }] }, id);
}

/** Turns any throw into the error frame Dewey's catch-all would send. */
export function frameForError(error: unknown, id: JsonRpcId): object {
  if (error instanceof DeweyRpcError) return errorReply(error.code, error.message, id);
  const detail = error instanceof Error ? error.message : String(error);
  return errorReply(DeweyErrorCode.InternalError, `Internal error: ${detail}`, id);
}

/**
 * Parses one text frame like Dewey: unparsable text is a `-32700` with
 * `id: null`; valid JSON that is not an object (a batch array, a number)
 * fails on `request.get(...)` with a `-32603`, also `id: null`. Returns the
 * request, or the error frame to send back.
 */
export function parseRequestFrame(text: string): ParsedRequest | { reply: object } {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch {
    return { reply: errorReply(DeweyErrorCode.ParseError, 'Parse error', null) };
  }
  if (typeof message !== 'object' || message === null || Array.isArray(message)) {
    const type = pythonTypeName(message);
    return {
      reply: errorReply(
        DeweyErrorCode.InternalError,
        `Internal error: '${type}' object has no attribute 'get'`,
        null,
      ),
    };
  }
  const record = message as Record<string, unknown>;
  return { id: record.id ?? null, method: record.method ?? null, message: record };
}
