import { isAtLeast, type Level, type LogEntry } from '@godot/shared';

/** The filters every read tool shares (docs/product.md#reading-logs). */
export interface EntryFilter {
  component?: string;
  /** Minimum level. */
  level?: Level;
  trace_id?: string;
  /** Case-insensitive substring of the message or of the data's JSON. */
  search?: string;
  /** `created_at` at or after this, in ms since the epoch. */
  fromMs?: number;
  /** `created_at` at or before this, in ms since the epoch. */
  toMs?: number;
}

/**
 * The test an entry must pass, built once per call. Cheapest checks first:
 * a scan of the recent window runs it on every entry it reads.
 */
export function entryMatcher(filter: EntryFilter): (entry: LogEntry) => boolean {
  const { component, level, trace_id: traceId, fromMs, toMs } = filter;
  const needle = filter.search?.toLowerCase();
  return (entry) => {
    if (component !== undefined && entry.component !== component) return false;
    if (traceId !== undefined && entry.trace_id !== traceId) return false;
    if (level !== undefined && !isAtLeast(entry.level, level)) return false;
    if (fromMs !== undefined || toMs !== undefined) {
      const at = Date.parse(entry.created_at);
      if (fromMs !== undefined && at < fromMs) return false;
      if (toMs !== undefined && at > toMs) return false;
    }
    if (needle !== undefined && needle !== '') {
      if (entry.message.toLowerCase().includes(needle)) return true;
      return entry.data !== null && JSON.stringify(entry.data).toLowerCase().includes(needle);
    }
    return true;
  };
}
