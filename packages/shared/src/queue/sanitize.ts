/**
 * JSON escapes U+0000 as `\u0000`. Match that escape only where it is not
 * itself escaped: an even run of backslashes (possibly none) before it.
 */
const ESCAPED_NUL = /(?<!\\)((?:\\\\)*)\\u0000/g;

/** The result of `replaceNulInJson`. */
export interface SanitizedJson {
  /** The JSON text, with every U+0000 inside keys and strings now U+FFFD. */
  json: string;
  /** Whether anything was replaced. */
  changed: boolean;
}

/**
 * Replaces U+0000 with U+FFFD everywhere in a serialized JSON value (keys and
 * strings, at any depth). PostgreSQL text and jsonb cannot hold NUL and one NUL
 * fails a whole Dewey batch (docs/dewey-contract.md#dewey_store_logs_batch),
 * so Godot keeps the entry and marks it instead (docs/product.md#logger_log).
 * Works on the text, so it costs one regex scan and cannot overflow the stack
 * however deep `data` nests.
 */
export function replaceNulInJson(json: string): SanitizedJson {
  if (!json.includes('\\u0000')) return { json, changed: false };
  const replaced = json.replace(ESCAPED_NUL, '$1\\ufffd');
  return { json: replaced, changed: replaced !== json };
}
