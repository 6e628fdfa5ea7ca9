import { type LogEntry, replaceNulInJson } from '@godot/shared';
import type { LogInput } from '../mcp/tools/logger-log.js';
import { EntryRefusedError } from './ingest-errors.js';

/** An entry as it is queued, with what the queue needs to know of it. */
export interface ShapedEntry {
  entry: LogEntry;
  /** The entry serialized, as it is queued (NULs replaced). */
  json: string;
  /** Serialized size in bytes, measured before NUL replacement. */
  bytes: number;
  /** A NUL was replaced (the reply says so). */
  sanitized: boolean;
}

/**
 * Turns a validated `logger_log` input into the entry that is queued:
 * defaults filled in, `created_at` set, refused when it cannot be serialized
 * or is larger than `maxEntryBytes`, and NUL characters replaced, since
 * PostgreSQL cannot store them (docs/product.md, "logger_log").
 */
export function shapeEntry(input: LogInput, now: Date, maxEntryBytes: number): ShapedEntry {
  const entry: LogEntry = {
    component: input.component,
    level: input.level,
    message: input.message,
    trace_id: input.trace_id ?? null,
    data: input.data ?? null,
    created_at: now.toISOString(),
  };
  let json: string;
  try {
    json = JSON.stringify(entry);
  } catch {
    throw new EntryRefusedError(
      'data',
      'cannot be serialized (nested too deeply)',
      'unserializable',
    );
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > maxEntryBytes) {
    const field = Buffer.byteLength(entry.message) >= bytes / 2 ? 'message' : 'data';
    throw new EntryRefusedError(
      field,
      `the entry is ${bytes} bytes serialized, above MAX_ENTRY_BYTES (${maxEntryBytes})`,
      'too_large',
    );
  }
  // Replace rather than refuse: the entry is kept, readable.
  const clean = replaceNulInJson(json);
  return clean.changed
    ? { entry: JSON.parse(clean.json) as LogEntry, json: clean.json, bytes, sanitized: true }
    : { entry, json, bytes, sanitized: false };
}
