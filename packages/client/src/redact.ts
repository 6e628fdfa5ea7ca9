/** What a masked value becomes. */
export const REDACTED = '[REDACTED]';

/** Key names masked by default (`redactKeys`). */
export const DEFAULT_REDACT_KEYS: readonly string[] = [
  'password',
  'token',
  'secret',
  'authorization',
  'api_key',
  'cookie',
];

// Deeper than this is cut: `data` is a log payload, not a document store.
const MAX_DEPTH = 16;

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/**
 * A function that copies `data` into plain JSON values with every key that
 * contains one of `keys` masked — case-, `-` and `_`-insensitive, so
 * `apiKey`, `X-Api-Key` and `access_token` all match. Masking too much is
 * the safe mistake for a log line. The copy also freezes the value at call
 * time (the caller may mutate its object afterwards) and turns what JSON
 * cannot carry (bigint, Error, cycles) into something it can, so the later
 * `JSON.stringify` on the send path never throws.
 */
export function createRedactor(keys: readonly string[]): (data: unknown) => unknown {
  const needles = keys.map(normalise).filter((k) => k.length > 0);
  const sensitive = (key: string): boolean => {
    const k = normalise(key);
    return needles.some((needle) => k.includes(needle));
  };
  const copy = (value: unknown, depth: number, seen: Set<object>): unknown => {
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'function' || typeof value === 'symbol') return undefined;
      return value;
    }
    if (seen.has(value)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    if (value instanceof Error) {
      return copy({ name: value.name, message: value.message, stack: value.stack }, depth, seen);
    }
    const json = (value as { toJSON?: unknown }).toJSON;
    if (typeof json === 'function') return copy(json.call(value), depth, seen);
    seen.add(value);
    let out: unknown;
    if (Array.isArray(value)) {
      out = value.map((item) => copy(item, depth + 1, seen) ?? null);
    } else {
      const obj: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        const v = sensitive(key) ? REDACTED : copy(item, depth + 1, seen);
        if (v !== undefined) obj[key] = v;
      }
      out = obj;
    }
    seen.delete(value);
    return out;
  };
  return (data) => copy(data, 0, new Set());
}
