/**
 * How the real Dewey (Python + asyncpg + PostgreSQL) turns values into text.
 * Its error messages embed Python `repr()`/`str()` of the offending value and
 * its `data` column comes back as PostgreSQL's jsonb text, so the emulator
 * needs both to reproduce messages and rows in the same shape
 * (dewey-contract.md, "Results and errors").
 */

/** Python's type name for a JSON value: `NoneType`, `bool`, `int`, `float`, `str`, `list`, `dict`. */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}

/** Python's `repr()` of a JSON value: `None`, `True`, `'text'`, `[1, 2]`, `{'k': 'v'}`. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pythonNumber(value);
  if (typeof value === 'string') return pythonStringRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pythonStringRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
}

/** Python's `str()`: strings as they are, anything else as `repr()` (what an f-string prints). */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

/**
 * The value part of asyncpg's "invalid input for query argument $N: <value> (...)":
 * `repr()` cut to 40 characters plus `...`, as asyncpg's bind-message encoder does.
 */
export function argumentRepr(value: unknown): string {
  const repr = pythonRepr(value);
  return repr.length > 40 ? `${repr.slice(0, 40)}...` : repr;
}

function pythonNumber(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  return String(value);
}

// Characters Python's str.isprintable() rejects: controls, separators other than
// the plain space, format/private/unassigned code points.
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

function pythonStringRepr(text: string): string {
  // Python prefers single quotes and switches to double only to avoid escaping.
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) out += escapeCodePoint(ch.codePointAt(0) ?? 0);
    else out += ch;
  }
  return out + quote;
}

function escapeCodePoint(code: number): string {
  if (code < 0x100) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code < 0x10000) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

const utf8 = new TextEncoder();

/**
 * PostgreSQL's jsonb output text for a JSON value, which is what asyncpg hands
 * Dewey for its `data` column: `", "` and `": "` separators, non-ASCII left as
 * is, and object keys in jsonb's storage order (shorter keys first, then by
 * bytes) rather than the order they were sent in.
 */
export function jsonbText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jsonbText).join(', ')}]`;
  const keys = Object.keys(value).sort(compareJsonbKeys);
  const record = value as Record<string, unknown>;
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbText(record[k])}`).join(', ')}}`;
}

function compareJsonbKeys(a: string, b: string): number {
  const ab = utf8.encode(a);
  const bb = utf8.encode(b);
  if (ab.length !== bb.length) return ab.length - bb.length;
  return Buffer.compare(ab, bb);
}

/** True when a string, or any key or string inside a JSON value, holds U+0000. */
export function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(containsNul);
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v));
}
