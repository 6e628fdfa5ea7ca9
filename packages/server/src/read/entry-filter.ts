import { isAtLeast, LEVELS, type Level, type LogEntry } from '@godot/shared';

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

/**
 * A quick test of a window record's raw JSON (its entries as one array, as
 * `JSON.stringify` wrote them) that holds for every record with an entry
 * `entryMatcher(filter)` accepts, so that the others are passed over
 * unparsed: the component's and trace id's exact JSON, one of the levels at
 * or above the minimum, the search text JSON-escaped and case-folded.
 * Undefined when the filter has nothing such a test can use.
 */
export function rawMatcher(filter: EntryFilter): ((raw: string) => boolean) | undefined {
  const needles: string[] = [];
  if (filter.component !== undefined)
    needles.push(`"component":${JSON.stringify(filter.component)}`);
  if (filter.trace_id !== undefined) needles.push(`"trace_id":${JSON.stringify(filter.trace_id)}`);
  const levels =
    filter.level === undefined
      ? undefined
      : LEVELS.filter((level) => isAtLeast(level, filter.level as Level)).map(
          (level) => `"level":"${level}"`,
        );
  const search =
    filter.search === undefined || filter.search === ''
      ? undefined
      : JSON.stringify(filter.search).slice(1, -1).toLowerCase();
  if (needles.length === 0 && levels === undefined && search === undefined) return undefined;
  return (raw) => {
    for (const needle of needles) if (!raw.includes(needle)) return false;
    if (levels && !levels.some((level) => raw.includes(level))) return false;
    return search === undefined || raw.toLowerCase().includes(search);
  };
}
