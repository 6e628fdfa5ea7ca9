import { type DeweyRpcError, internalError } from '../dewey-rpc-error.js';
import { parseIsoMicros } from './iso-time.js';
import { argumentRepr, pythonRepr, pythonTypeName } from './python-text.js';

/**
 * What happens to a query parameter between Dewey's Python code and
 * PostgreSQL: asyncpg encodes it (and wraps a failure as "invalid input for
 * query argument $N: <repr> (<reason>)"), then the server checks it. Each
 * function returns the stored value or throws the `-32603` Dewey would send.
 */

/** asyncpg's wrapper around a parameter it could not encode. */
export function argumentError(index: number, value: unknown, reason: string): DeweyRpcError {
  return internalError(
    `invalid input for query argument $${index}: ${argumentRepr(value)} (${reason})`,
  );
}

/** A `uuid` parameter: returns the dashed lower-case form, as PostgreSQL prints it. */
export function encodeUuid(index: number, value: unknown): string {
  if (typeof value !== 'string') {
    // asyncpg falls back to `obj.bytes` for anything that is not a str.
    throw argumentError(index, value, `'${pythonTypeName(value)}' object has no attribute 'bytes'`);
  }
  const problem = uuidProblem(value);
  if (problem !== undefined) throw argumentError(index, value, problem);
  const hex = value.replaceAll('-', '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// The forms clients actually send, checked first because batches are hot.
const CANONICAL_UUID =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/i;

// Mirrors asyncpg's pg_uuid_bytes_from_str: 32..36 UTF-8 bytes, dashes
// anywhere are skipped, exactly 32 hex digits.
function uuidProblem(text: string): string | undefined {
  if (CANONICAL_UUID.test(text)) return undefined;
  const bytes = Buffer.from(text, 'utf8');
  const repr = pythonRepr(text);
  if (bytes.length > 36 || bytes.length < 32) {
    return `invalid UUID ${repr}: length must be between 32..36 characters, got ${bytes.length}`;
  }
  let nibbles = 0;
  for (const byte of bytes) {
    if (byte === 0x2d) continue;
    if (!isHexByte(byte)) {
      return byte >= 0x20 && byte <= 0x7e
        ? `invalid UUID ${repr}: unexpected character ${pythonRepr(String.fromCharCode(byte))}`
        : // asyncpg forgot the f-prefix on this one message, so the braces are literal.
          'invalid UUID {u!r}: unexpected character';
    }
    nibbles++;
    if (nibbles > 32) return `invalid UUID ${repr}: decodes to more than 16 bytes`;
  }
  return nibbles === 32 ? undefined : `invalid UUID ${repr}: decodes to less than 16 bytes`;
}

function isHexByte(byte: number): boolean {
  return (
    (byte >= 0x30 && byte <= 0x39) ||
    (byte >= 0x41 && byte <= 0x46) ||
    (byte >= 0x61 && byte <= 0x66)
  );
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
 * parses it unless `realDeweyBugs` is on (dewey-contract.md, "Known Dewey bug").
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
    throw argumentError(index, value, `Invalid isoformat string: ${pythonRepr(value)}`);
  }
  return micros;
}
