import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

/**
 * A quick structural check for the common shapes of the SDK's
 * `JSONRPCMessageSchema`: a request, notification, result or error
 * response, with the same key sets, id rule (a string or a safe integer)
 * and `_meta` rule. It only ever says yes to what the schema accepts; a
 * `false` means "ask the schema", which then decides and explains.
 *
 * Why: the schema is a union of four zod objects, parsed for every frame
 * (and copied); on a connection that logs one line per socket it was the
 * transport's largest CPU cost.
 */
export function isJsonRpcMessage(value: unknown): value is JSONRPCMessage {
  if (!isPlainObject(value) || value.jsonrpc !== '2.0') return false;
  if ('method' in value) {
    if (typeof value.method !== 'string' || !isParams(value.params)) return false;
    return 'id' in value
      ? isId(value.id) && hasOnly(value, REQUEST_KEYS)
      : hasOnly(value, NOTIFICATION_KEYS);
  }
  if ('result' in value) {
    return (
      isId(value.id) &&
      value.result !== undefined &&
      isParams(value.result) &&
      hasOnly(value, RESULT_KEYS)
    );
  }
  const { error } = value;
  return (
    (value.id === undefined || isId(value.id)) &&
    isPlainObject(error) &&
    Number.isSafeInteger(error.code) &&
    typeof error.message === 'string' &&
    hasOnly(value, ERROR_KEYS)
  );
}

const REQUEST_KEYS = new Set(['jsonrpc', 'id', 'method', 'params']);
const NOTIFICATION_KEYS = new Set(['jsonrpc', 'method', 'params']);
const RESULT_KEYS = new Set(['jsonrpc', 'id', 'result']);
const ERROR_KEYS = new Set(['jsonrpc', 'id', 'error']);
const RELATED_TASK = 'io.modelcontextprotocol/related-task';

type JsonObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOnly(value: JsonObject, keys: ReadonlySet<string>): boolean {
  for (const key in value) if (!keys.has(key)) return false;
  return true;
}

function isId(id: unknown): boolean {
  return typeof id === 'string' || Number.isSafeInteger(id);
}

/** `params` (or `result`): absent, or an object whose optional `_meta` is well formed. */
function isParams(params: unknown): boolean {
  if (params === undefined) return true;
  if (!isPlainObject(params)) return false;
  const meta = params._meta;
  if (meta === undefined) return true;
  if (!isPlainObject(meta)) return false;
  const { progressToken } = meta;
  const related = meta[RELATED_TASK];
  return (
    (progressToken === undefined || isId(progressToken)) &&
    (related === undefined || (isPlainObject(related) && typeof related.taskId === 'string'))
  );
}
