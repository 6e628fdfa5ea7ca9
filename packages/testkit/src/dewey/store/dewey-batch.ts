import { internalError, printed, pythonTypeName, validationError } from '../dewey-rpc-error.js';
import { type DeweyLevel, toDeweyLevel } from './dewey-levels.js';
import { parseIsoMicros } from './iso-time.js';
import { checkTextStorable, encodeText, encodeUuid } from './pg-params.js';

/** Dewey's hard limit on a batch's entries (docs/dewey-contract.md#dewey_store_logs_batch). */
export const MAX_BATCH_SIZE = 1000;

/** One entry of a batch after it passed every check Dewey and PostgreSQL apply. */
export interface PreparedLog {
  trace_id: string | null;
  component: string;
  level: DeweyLevel;
  message: string;
  /** The entry's `data` as sent, or null when Python found it falsy. */
  data: unknown;
  /**
   * `data` as JSON text, which is what queries return. Dewey's jsonb text has
   * other spacing and key order; readers parse it, so they see no difference.
   */
  dataText: string | null;
  createdAtMicros: number;
}

/**
 * Validates a whole `logs` argument before anything is stored, in the order
 * the real Dewey fails: its Python checks (size, then every level), then per
 * entry asyncpg's parameter encoding ($1 trace_id … $6 created_at), then
 * PostgreSQL's own checks. One bad entry throws; nothing is returned for the
 * others (all or nothing). An empty (falsy) `logs` gives `[]`.
 *
 * @param nowMicros Dewey's clock, for entries without a usable `created_at`.
 */
export function prepareBatch(logs: unknown, nowMicros: () => number): PreparedLog[] {
  if (isFalsy(logs)) return [];
  const entries = iterable(logs);
  if (entries.length > MAX_BATCH_SIZE) {
    throw validationError(`Batch size ${entries.length} exceeds maximum ${MAX_BATCH_SIZE}`);
  }
  // Every level is checked before any entry is encoded, as Dewey loops twice.
  const checked = entries.map((entry) => ({ entry, level: checkLevel(entry) }));
  return checked.map(({ entry, level }) =>
    prepareEntry(entry as Record<string, unknown>, level, nowMicros),
  );
}

/** Python truthiness of a JSON value. */
export function isFalsy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') {
    return true;
  }
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && Object.keys(value).length === 0;
}

// What `len(logs)` then `for log in logs` does to a non-list: strings and dicts
// yield strings (whose `.get` then fails), anything else has no len().
function iterable(logs: unknown): unknown[] {
  if (Array.isArray(logs)) return logs;
  if (typeof logs === 'string') return [...logs];
  if (typeof logs === 'object' && logs !== null) return Object.keys(logs);
  throw internalError(`object of type '${pythonTypeName(logs)}' has no len()`);
}

function checkLevel(entry: unknown): DeweyLevel {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw internalError(`'${pythonTypeName(entry)}' object has no attribute 'get'`);
  }
  const level = (entry as Record<string, unknown>).level ?? null;
  if (level !== null && typeof level !== 'string') {
    throw internalError(`'${pythonTypeName(level)}' object has no attribute 'upper'`);
  }
  const parsed = level === null ? undefined : toDeweyLevel(level);
  if (!parsed) throw validationError(`Invalid log level in batch: ${printed(level)}`);
  return parsed;
}

function prepareEntry(
  entry: Record<string, unknown>,
  level: DeweyLevel,
  nowMicros: () => number,
): PreparedLog {
  // Python side: created_at goes through datetime.fromisoformat, whose
  // ValueError Dewey swallows (→ now) but whose TypeError it does not.
  const createdAt = entry.created_at ?? null;
  let createdAtMicros: number;
  if (createdAt === null) createdAtMicros = nowMicros();
  else if (typeof createdAt === 'string')
    createdAtMicros = parseIsoMicros(createdAt) ?? nowMicros();
  else throw internalError('fromisoformat: argument must be str');
  // `json.dumps(data) if data else None`: {}, [], "", 0 and false become NULL too.
  const data = isFalsy(entry.data) ? null : entry.data;

  // asyncpg encodes $1…$6 in order.
  const traceId = entry.trace_id ?? null;
  const trace_id = traceId === null ? null : encodeUuid(1, traceId);
  const component = entry.component ?? null;
  if (component !== null) encodeText(2, component);
  const message = entry.message ?? null;
  if (message !== null) encodeText(4, message);

  // PostgreSQL: bind-time input checks, then NOT NULL constraints.
  checkTextStorable(component as string | null);
  checkTextStorable(message as string | null);
  if (containsNul(data)) throw internalError('unsupported Unicode escape sequence');
  if (component === null) throw notNull('component');
  if (message === null) throw notNull('message');

  return {
    trace_id,
    component: component as string,
    level,
    message: message as string,
    data,
    dataText: data === null ? null : JSON.stringify(data),
    createdAtMicros,
  };
}

function notNull(column: string) {
  return internalError(
    `null value in column "${column}" of relation "logs" violates not-null constraint`,
  );
}

/** True when a string, or any key or string inside a JSON value, holds U+0000. */
function containsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some(containsNul);
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || containsNul(v));
}
