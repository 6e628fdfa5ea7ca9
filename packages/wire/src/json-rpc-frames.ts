import type { RawData } from 'ws';

/**
 * JSON-RPC 2.0 messages as Godot puts them on a WebSocket: one message per
 * text frame, no batches. Pure functions, shared by the MCP transports, the
 * `@godot/client` logger, the testkit and the tests, so that every party
 * builds and reads frames the same way.
 */

/** A request id as JSON-RPC allows it: a string or an integer (MCP forbids `null`). */
export type JsonRpcId = string | number;

/** A request: the peer owes exactly one reply with the same `id`. */
export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: JsonRpcId;
  method: string;
  params?: object;
}

/** The `error` member of an error reply. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/**
 * An error reply as we write it. `Id` is what the reply echoes: a request's
 * id, or `null` when the request's id could not be read (JSON-RPC 2.0,
 * section 5; today's Python clients expect exactly that). The Dewey emulator
 * echoes whatever a request carried, so it may widen `Id`.
 */
export interface JsonRpcErrorReply<Id = JsonRpcId | null> {
  jsonrpc: '2.0';
  error: JsonRpcErrorObject;
  id: Id;
}

/** A success reply as we write it; keys in the order Dewey writes them. */
export interface JsonRpcResultReply<Result = unknown, Id = JsonRpcId> {
  jsonrpc: '2.0';
  result: Result;
  id: Id;
}

/**
 * A reply frame as a client reads it: a JSON object whose `error`, when
 * present, has a numeric `code` and a string `message` (`isJsonRpcReply`).
 * Nothing else is checked: `id` and `result` are whatever the peer sent.
 */
export interface JsonRpcReply {
  jsonrpc?: unknown;
  id?: unknown;
  result?: unknown;
  error?: JsonRpcErrorObject;
}

/** Builds a request. `params` is left out when `undefined`, as JSON-RPC allows. */
export function jsonRpcRequest(id: JsonRpcId, method: string, params?: object): JsonRpcRequest {
  return params === undefined
    ? { jsonrpc: '2.0', id, method }
    : { jsonrpc: '2.0', id, method, params };
}

/** Builds an error reply; `id` defaults to `null` (the request's id was unreadable). */
export function errorReply(code: number, message: string): JsonRpcErrorReply<null>;
export function errorReply<Id>(code: number, message: string, id: Id): JsonRpcErrorReply<Id>;
export function errorReply(
  code: number,
  message: string,
  id: unknown = null,
): JsonRpcErrorReply<unknown> {
  return { jsonrpc: '2.0', error: { code, message }, id };
}

/** Builds a success reply. */
export function resultReply<Result, Id>(result: Result, id: Id): JsonRpcResultReply<Result, Id> {
  return { jsonrpc: '2.0', result, id };
}

/** Whether `value` is a reply a client can read (see `JsonRpcReply`). */
export function isJsonRpcReply(value: unknown): value is JsonRpcReply {
  if (!isObject(value)) return false;
  if (!('error' in value) || value.error === undefined) return true;
  const { error } = value;
  return isObject(error) && typeof error.code === 'number' && typeof error.message === 'string';
}

/** Parses one text frame; `undefined` when it is not JSON or not a readable reply. */
export function parseReply(text: string): JsonRpcReply | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isJsonRpcReply(value) ? value : undefined;
}

/** Whether a reply is an error reply. */
export function isErrorReply(
  reply: JsonRpcReply,
): reply is JsonRpcReply & { error: JsonRpcErrorObject } {
  return reply.error !== undefined;
}

/** The `id` of a JSON object, when it is one JSON-RPC allows (string or integer); else `null`. */
export function readId(value: unknown): JsonRpcId | null {
  if (!isObject(value) || !('id' in value)) return null;
  const { id } = value;
  if (typeof id === 'string' || (typeof id === 'number' && Number.isInteger(id))) return id;
  return null;
}

/** Text of a `ws` message, whatever `binaryType` delivered it as (binary frames as UTF-8 too). */
export function decodeText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
