import {
  errorReply,
  JsonRpcErrorCode,
  type JsonRpcErrorReply,
  type JsonRpcId,
  readId,
} from '@godot/wire';
import { type JSONRPCMessage, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { isJsonRpcMessage } from './json-rpc-message.js';
import { InvalidFrameError } from './transport-errors.js';

/** What one text frame turned out to be. */
export type ParsedFrame =
  | { kind: 'message'; message: JSONRPCMessage }
  | {
      kind: 'error';
      /**
       * The error response a server sends back, or `null` when the frame
       * looks like a response itself: JSON-RPC never answers a response, and
       * doing so would let two such peers bounce `id: null` errors forever.
       */
      reply: JsonRpcErrorReply<JsonRpcId | null> | null;
      /** What went wrong, for `onerror`. */
      error: InvalidFrameError;
    };

/** How much of a bad frame an error message quotes. */
const PREVIEW_CHARS = 200;

/**
 * The reply to a binary frame: we speak one JSON-RPC message per text frame
 * (docs/product.md#connecting).
 */
export function binaryFrameReply(): JsonRpcErrorReply<null> {
  return errorReply(JsonRpcErrorCode.ParseError, 'Parse error: binary frames are not supported');
}

/**
 * Classifies one text frame for the MCP SDK: a JSON-RPC message its schema
 * accepts, or an error with the reply a server owes the peer (`-32700` not
 * JSON, `-32600` batch or schema failure). Building and reading frames
 * otherwise is `@godot/wire`'s; this is the part that needs the SDK.
 */
export function parseFrame(data: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (cause) {
    return {
      kind: 'error',
      reply: errorReply(JsonRpcErrorCode.ParseError, 'Parse error'),
      error: new InvalidFrameError(`Frame is not JSON: ${preview(data)}`, undefined, { cause }),
    };
  }
  // The SDK's Protocol has no notion of batches (MCP 2025-06-18 dropped them),
  // so we refuse them whole rather than answer half of one.
  if (Array.isArray(value)) {
    return {
      kind: 'error',
      reply: errorReply(
        JsonRpcErrorCode.InvalidRequest,
        'Invalid Request: batches are not supported',
      ),
      error: new InvalidFrameError(`Frame is a JSON-RPC batch: ${preview(data)}`, value),
    };
  }
  if (isJsonRpcMessage(value)) return { kind: 'message', message: value };
  // Anything unusual goes to the SDK's schema: it decides, and says why.
  const result = JSONRPCMessageSchema.safeParse(value);
  if (result.success) return { kind: 'message', message: result.data };
  return {
    kind: 'error',
    reply: looksLikeResponse(value)
      ? null
      : errorReply(JsonRpcErrorCode.InvalidRequest, 'Invalid Request', readId(value)),
    error: new InvalidFrameError(`Frame is not a valid JSON-RPC message: ${preview(data)}`, value, {
      cause: result.error,
    }),
  };
}

function looksLikeResponse(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !('method' in value) &&
    ('result' in value || 'error' in value)
  );
}

function preview(text: string): string {
  return text.length <= PREVIEW_CHARS
    ? text
    : `${text.slice(0, PREVIEW_CHARS)}… (${text.length} chars)`;
}
