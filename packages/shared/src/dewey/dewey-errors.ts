import { GodotError } from '../util/godot-error.js';

/** The local codes of Dewey client errors, one per subclass. */
export type DeweyErrorCode = 'DEWEY_UNAVAILABLE' | 'DEWEY_REJECTED' | 'DEWEY_BAD_RESPONSE';

/** Base of every error the Dewey client raises; `code` never crosses the wire. */
export class DeweyError extends GodotError<DeweyErrorCode> {}

/** Why Dewey could not be used: no connection, connection lost, or no reply in time. */
export type UnavailableReason = 'connect' | 'closed' | 'timeout';

/**
 * Dewey could not be reached or did not answer. Transient: the request may or
 * may not have been executed; retrying later is the right move.
 */
export class DeweyUnavailableError extends DeweyError {
  constructor(
    readonly reason: UnavailableReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('DEWEY_UNAVAILABLE', message, options);
  }
}

/**
 * Dewey answered with a JSON-RPC error: it refused this request (bad level,
 * bad UUID, batch too large, a database error…). Retrying the same request
 * fails the same way.
 */
export class DeweyRejectedError extends DeweyError {
  constructor(
    readonly rpcCode: number,
    readonly rpcMessage: string,
    options?: { cause?: unknown },
  ) {
    super('DEWEY_REJECTED', `Dewey rejected the call (${rpcCode}): ${rpcMessage}`, options);
  }
}

/** Dewey answered, but not in the shape its contract promises. */
export class DeweyProtocolError extends DeweyError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DEWEY_BAD_RESPONSE', message, options);
  }
}
