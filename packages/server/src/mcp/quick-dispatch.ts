import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type {
  JSONRPCMessage,
  JSONRPCNotification,
  JSONRPCRequest,
  MessageExtraInfo,
} from '@modelcontextprotocol/sdk/types.js';

/** What a message is, when its keys alone settle it. */
export type MessageKind = 'request' | 'notification';

/**
 * `request` or `notification` when `message` is certainly one for the SDK's
 * strict `JSONRPCRequestSchema` or `JSONRPCNotificationSchema`; `undefined`
 * for anything else (responses, `_meta`, odd ids or keys), which the SDK's
 * schemas then judge. It never says yes to what those schemas refuse.
 */
export function messageKind(message: unknown): MessageKind | undefined {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return undefined;
  const value = message as Record<string, unknown>;
  if (value.jsonrpc !== '2.0' || typeof value.method !== 'string' || !isPlainParams(value.params))
    return undefined;
  const request = 'id' in value;
  if (request && !(typeof value.id === 'string' || Number.isSafeInteger(value.id)))
    return undefined;
  for (const key in value)
    if (!(request ? REQUEST_KEYS : NOTIFICATION_KEYS).has(key)) return undefined;
  return request ? 'request' : 'notification';
}

const REQUEST_KEYS: ReadonlySet<string> = new Set(['jsonrpc', 'id', 'method', 'params']);
const NOTIFICATION_KEYS: ReadonlySet<string> = new Set(['jsonrpc', 'method', 'params']);

/** Absent, or an object without `_meta` (whose rules the schema keeps). */
function isPlainParams(params: unknown): boolean {
  if (params === undefined) return true;
  return (
    typeof params === 'object' && params !== null && !Array.isArray(params) && !('_meta' in params)
  );
}

/**
 * The SDK `Protocol`'s own handling of a request and of a notification, once
 * its `onmessage` has told them apart.
 *
 * Why internals: `Protocol.connect` reads every incoming message with up to
 * four zod parses (`isJSONRPCResultResponse`, `isJSONRPCErrorResponse`,
 * `isJSONRPCRequest`, `isJSONRPCNotification`), so a request costs two
 * failing parses before it is dispatched. Failing zod parses build issue
 * lists: skipping them cut the server's CPU by ~20% per `logger_log` on a
 * persistent socket and ~8% per socket-per-line log (connect, initialize,
 * call, close). The SDK offers no public way to hand it a
 * message already classified. On upgrade, check that `Protocol` still has
 * `_onrequest(request, extra)` and `_onnotification(notification)` and that
 * `connect` still classifies as above. Covered by quick-dispatch.test.ts.
 */
interface ProtocolInternals {
  _onrequest(request: JSONRPCRequest, extra?: MessageExtraInfo): void;
  _onnotification(notification: JSONRPCNotification): void;
}

/**
 * Replaces the `onmessage` that `server.connect(transport)` installed with
 * one that sends requests and notifications (by {@link messageKind}) straight
 * to the SDK's handling of them, and everything else to the SDK's own
 * `onmessage`. `previous` is the transport's `onmessage` from before
 * `connect`, which the SDK calls first with every message; so is it here.
 * Does nothing if this SDK version lacks what it relies on.
 */
export function dispatchByKeys(
  server: Server,
  transport: Transport,
  previous: Transport['onmessage'],
): void {
  const protocol = server as unknown as Partial<ProtocolInternals>;
  const sdk = transport.onmessage;
  const { _onrequest: onRequest, _onnotification: onNotification } = protocol;
  if (sdk === undefined || typeof onRequest !== 'function' || typeof onNotification !== 'function')
    return;
  transport.onmessage = (message: JSONRPCMessage, extra?: MessageExtraInfo) => {
    const kind = messageKind(message);
    if (kind === undefined) {
      sdk(message, extra);
      return;
    }
    previous?.(message, extra);
    if (kind === 'request') onRequest.call(protocol, message as JSONRPCRequest, extra);
    else onNotification.call(protocol, message as JSONRPCNotification);
  };
}
