import { type DeweyRpcError, internalError, printed, pythonTypeName } from '../dewey-rpc-error.js';
import { parseIsoMicros } from './iso-time.js';

/**
 * What happens to a query parameter between Dewey's Python code and
 * PostgreSQL: asyncpg encodes it, and wraps a failure as "invalid input for
 * query argument $N: <value> (<reason>)", then the server checks it. Each
 * function returns the stored value or throws the `-32603` Dewey would send.
 * Godot and its tests rely on that wrapper, on "invalid UUID" and on the
 * datetime reason of the time-filter bug; the rest of the text is plain.
 */

/** asyncpg's wrapper around a parameter it could not encode. */
export function argumentError(index: number, value: unknown, reason: string): DeweyRpcError {
  return internalError(
    `invalid input for query argument $${index}: ${argumentText(value)} (${reason})`,
  );
}

// Strings quoted, and cut to 40 characters as asyncpg cuts its repr, so one
// huge value does not make a huge error message.
function argumentText(value: unknown): string {
  const text = typeof value === 'string' ? `'${value}'` : printed(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

// asyncpg's rule: 32 hex digits, dashes anywhere, at most 36 characters in all.
function isUuid(text: string): boolean {
  return text.length <= 36 && /^[0-9a-f]{32}$/i.test(text.replaceAll('-', ''));
}

/** A `uuid` parameter: returns the dashed lower-case form, as PostgreSQL prints it. */
export function encodeUuid(index: number, value: unknown): string {
  if (typeof value !== 'string' || !isUuid(value)) {
    throw argumentError(index, value, 'invalid UUID');
  }
  const hex = value.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A `text` parameter: must be a Python str. */
export function encodeText(index: number, value: unknown): string {
  if (typeof value !== 'string') {
    throw argumentError(index, value, `expected str, got ${pythonTypeName(value)}`);
  }
  return value;
}

/** PostgreSQL refuses U+0000 in `text` while binding: checked after every parameter is encoded. */
export function checkTextStorable(value: string | null): void {
  if (value?.includes('\u0000')) {
    throw internalError('invalid byte sequence for encoding "UTF8": 0x00');
  }
}

/** Options for {@link encodeTimestamptz}. */
export interface TimestamptzOptions {
  /** Reproduce Dewey's bug: it passes ISO strings where asyncpg wants a datetime. */
  realDeweyBugs: boolean;
}

/**
 * A `timestamptz` parameter that Dewey receives as an ISO string. The real
 * Dewey hands the string straight to asyncpg, which refuses it; the emulator
 * parses it unless `realDeweyBugs` is on (docs/dewey-contract.md, "Known
 * Dewey bug"). Godot recognises the bug by "expected a datetime".
 */
export function encodeTimestamptz(
  index: number,
  value: unknown,
  options: TimestamptzOptions,
): number {
  if (typeof value !== 'string' || options.realDeweyBugs) {
    throw argumentError(
      index,
      value,
      `expected a datetime.date or datetime.datetime instance, got '${pythonTypeName(value)}'`,
    );
  }
  const micros = parseIsoMicros(value);
  if (micros === undefined) {
    throw argumentError(index, value, `Invalid isoformat string: '${value}'`);
  }
  return micros;
}
