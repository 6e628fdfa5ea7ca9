import { GodotError } from '../util/godot-error.js';
import { redactUrl } from '../util/redact-url.js';

/**
 * Local errors of the WebSocket transports. Their `code` never crosses the
 * wire (JSON-RPC error codes do, see `@godot/wire`); callers branch on the
 * class with `instanceof`, not on the message text.
 */
export type TransportErrorCode =
  | 'TRANSPORT_CLOSED'
  | 'CONNECT_TIMEOUT'
  | 'CONNECT_FAILED'
  | 'INVALID_FRAME'
  | 'PEER_UNRESPONSIVE'
  | 'CALLS_IN_FLIGHT_LIMIT'
  | 'UNREAD_REPLIES_LIMIT';

/** Base of every error the WebSocket transports raise or report through `onerror`. */
export class TransportError extends GodotError<TransportErrorCode> {}

/** `send` on a transport that is not (or no longer) open; nothing was sent. */
export class TransportClosedError extends TransportError {
  constructor(message = 'WebSocket transport is not open', options?: { cause?: unknown }) {
    super('TRANSPORT_CLOSED', message, options);
  }
}

/**
 * The client could not open its connection. `url` has been through
 * `redactUrl` (no password, no token in the query), and so has the message;
 * `detail` says why without naming the URL, for callers that name it
 * themselves.
 */
export class ConnectError extends TransportError {
  /** The URL tried, redacted: safe for logs, errors and tool replies. */
  readonly url: string;

  constructor(
    code: 'CONNECT_TIMEOUT' | 'CONNECT_FAILED',
    url: string | URL,
    /** Why, without the URL. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    const shown = redactUrl(url);
    super(code, `Could not open a WebSocket to ${shown}: ${detail}`, options);
    this.url = shown;
  }
}

/** The client's opening handshake did not finish within `connectTimeoutMs`. */
export class ConnectTimeoutError extends ConnectError {
  constructor(
    url: string | URL,
    readonly timeoutMs: number,
  ) {
    super('CONNECT_TIMEOUT', url, `handshake did not finish within ${timeoutMs} ms`);
  }
}

/**
 * The client could not open the connection: refused, DNS, an HTTP status
 * instead of 101, a subprotocol mismatch… `cause` is the error `ws` gave.
 */
export class ConnectFailedError extends ConnectError {
  constructor(url: string | URL, cause: unknown) {
    super('CONNECT_FAILED', url, cause instanceof Error ? cause.message : String(cause), {
      cause,
    });
  }
}

/**
 * A frame that is not one JSON-RPC message the SDK accepts: not JSON, a batch,
 * binary, or failing `JSONRPCMessageSchema` (such as Dewey's `id: null` error
 * replies). Reported through `onerror`; the connection stays open.
 */
export class InvalidFrameError extends TransportError {
  constructor(
    message: string,
    /** The parsed JSON, or `undefined` when the frame was not JSON text. */
    readonly value: unknown,
    options?: { cause?: unknown },
  ) {
    super('INVALID_FRAME', message, options);
  }
}

/** The peer did not answer a WebSocket ping before the next one was due; the socket was terminated. */
export class PeerUnresponsiveError extends TransportError {
  constructor(readonly pingIntervalMs: number) {
    super('PEER_UNRESPONSIVE', `WebSocket peer did not answer a ping within ${pingIntervalMs} ms`);
  }
}

/**
 * A request refused because its connection already had `limit` requests
 * unanswered. The peer got a JSON-RPC error for its id at once; the
 * connection stays open.
 */
export class CallsInFlightLimitError extends TransportError {
  constructor(
    readonly limit: number,
    readonly requestId: string | number,
  ) {
    super('CALLS_IN_FLIGHT_LIMIT', `Request refused: ${limit} calls already in flight`);
  }
}

/**
 * The peer left more reply bytes unread than allowed. `closed: false`:
 * reading from it is paused until they drain. `closed: true`: it read too
 * little for too long, or its unread bytes passed the hard limit, and the
 * connection was closed with 1008.
 */
export class UnreadRepliesLimitError extends TransportError {
  constructor(
    readonly unreadBytes: number,
    readonly limitBytes: number,
    readonly closed: boolean,
    detail: string,
  ) {
    super(
      'UNREAD_REPLIES_LIMIT',
      `Peer has ${unreadBytes} reply bytes unread (limit ${limitBytes}): ${detail}`,
    );
  }
}
