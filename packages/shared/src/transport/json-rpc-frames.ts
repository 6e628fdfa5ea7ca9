import {
  ErrorCode,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import type { RawData } from 'ws';
import { isJsonRpcMessage } from './json-rpc-message.js';
import { InvalidFrameError } from './transport-errors.js';

/**
 * A JSON-RPC error response as we write it. Unlike the SDK's
 * `JSONRPCErrorResponse`, `id` may be `null`: JSON-RPC 2.0 (section 5) asks
 * for `null` when the request's id could not be read, and today's Python
 * clients expect exactly that.
 */
export interface JsonRpcErrorReply {
  jsonrpc: '2.0';
  error: { code: number; message: string };
  id: RequestId | null;
}

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
      reply: JsonRpcErrorReply | null;
      /** What went wrong, for `onerror`. */
      error: InvalidFrameError;
    };

/** How much of a bad frame an error message quotes. */
const PREVIEW_CHARS = 200;

/** Builds a JSON-RPC error response. */
export function errorReply(
  code: number,
  message: string,
  id: RequestId | null = null,
): JsonRpcErrorReply {
  return { jsonrpc: '2.0', error: { code, message }, id };
}

/** The reply to a binary frame: we speak one JSON-RPC message per text frame (dewey-contract.md, Transport). */
export function binaryFrameReply(): JsonRpcErrorReply {
  return errorReply(ErrorCode.ParseError, 'Parse error: binary frames are not supported', null);
}

/**
 * Classifies one text frame: a JSON-RPC message the SDK accepts, or an error
 * with the reply a server owes the peer (`-32700` not JSON, `-32600` batch or
 * schema failure).
 */
export function parseFrame(data: string): ParsedFrame {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (cause) {
    return {
      kind: 'error',
      reply: errorReply(ErrorCode.ParseError, 'Parse error', null),
      error: new InvalidFrameError(`Frame is not JSON: ${preview(data)}`, undefined, { cause }),
    };
  }
  // The SDK's Protocol has no notion of batches (MCP 2025-06-18 dropped them),
  // so we refuse them whole rather than answer half of one.
  if (Array.isArray(value)) {
    return {
      kind: 'error',
      reply: errorReply(
        ErrorCode.InvalidRequest,
        'Invalid Request: batches are not supported',
        null,
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
      : errorReply(ErrorCode.InvalidRequest, 'Invalid Request', readId(value)),
    error: new InvalidFrameError(`Frame is not a valid JSON-RPC message: ${preview(data)}`, value, {
      cause: result.error,
    }),
  };
}

/** The `id` of a JSON object, when it is one JSON-RPC allows (string or integer); else `null`. */
export function readId(value: unknown): RequestId | null {
  if (typeof value !== 'object' || value === null || !('id' in value)) return null;
  const { id } = value;
  if (typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id))) return id;
  return null;
}

/** Text of a `ws` message, whatever `binaryType` delivered it as. */
export function decodeText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
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
