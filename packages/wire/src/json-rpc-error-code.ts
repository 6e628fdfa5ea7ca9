/**
 * The JSON-RPC error codes Godot and Dewey put on the wire. These numbers
 * cross the wire; local errors (string codes) never do.
 */
export const JsonRpcErrorCode = {
  /** The frame is not JSON (JSON-RPC 2.0, section 5.1). */
  ParseError: -32700,
  /** JSON, but not one valid request: a batch, a missing `method`… */
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /**
   * Godot refused a request because its connection already has
   * `MAX_CALLS_IN_FLIGHT` unanswered: send it again once replies arrive.
   * JSON-RPC leaves -32000…-32099 to servers; -32005 is the "limit
   * exceeded" of other JSON-RPC APIs (EIP-1474).
   */
  CallsInFlightLimit: -32005,
} as const;

/** One of the codes in `JsonRpcErrorCode`. */
export type JsonRpcErrorCode = (typeof JsonRpcErrorCode)[keyof typeof JsonRpcErrorCode];
