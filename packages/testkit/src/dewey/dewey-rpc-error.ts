/** JSON-RPC error codes Dewey answers with (docs/dewey-contract.md, "Results and errors"). */
export const DeweyErrorCode = {
  /** Unparsable frame; always sent with `id: null`. */
  ParseError: -32700,
  /** Unknown method or tool. */
  MethodNotFound: -32601,
  /** Bad `emulator/control` parameters (emulator-only; Dewey never sends it). */
  InvalidParams: -32602,
  /** `Internal error: …`: database and Python type errors. */
  InternalError: -32603,
  /** Dewey's own validation: bad level, batch over 1000. */
  ValidationError: -32000,
} as const;

/**
 * A failure that crosses the wire as a JSON-RPC error. Thrown inside the
 * emulator's tool code and turned into `{"error":{"code","message"}}` at the
 * connection; Dewey never sends `data` with an error.
 */
export class DeweyRpcError extends Error {
  override readonly name = 'DeweyRpcError';

  constructor(
    /** JSON-RPC error code, one of {@link DeweyErrorCode}. */
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A `-32603 "Internal error: <detail>"`, Dewey's catch-all for Python and database exceptions. */
export function internalError(detail: string): DeweyRpcError {
  return new DeweyRpcError(DeweyErrorCode.InternalError, `Internal error: ${detail}`);
}

/** A `-32000` error: Dewey's own `ValueError` validation. */
export function validationError(message: string): DeweyRpcError {
  return new DeweyRpcError(DeweyErrorCode.ValidationError, message);
}

/**
 * The name Python gives a JSON value's type, which Dewey's type errors print
 * (`'int' object has no attribute 'upper'`): `NoneType`, `bool`, `int`,
 * `float`, `str`, `list` or `dict`.
 */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/**
 * A value as Dewey's messages print it, near enough: strings as they are,
 * null as `None`, anything else as JSON. (Python would print its `repr`;
 * nothing that reads these messages looks that deep.)
 */
export function printed(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
