import type { LogEntry, RecentCursor, RecentReader } from '@godot/shared';
import { type EntryFilter, entryMatcher, rawMatcher } from './entry-filter.js';

/**
 * How far apart the server's clock (an entry's `created_at`) and Redis's
 * (a record's id) may be: a range read reaches this far past its bounds,
 * and the entries' own times decide.
 */
const CLOCK_SLACK_MS = 5000;

/**
 * How long a query reads the window before it answers with what it found
 * and a cursor to go on: a filter no index narrows (a text search) reads the
 * whole window, which holds up to about a million entries; the answer stays
 * within the 500 ms of a query's target (docs/product.md#performance-targets).
 */
export const QUERY_SCAN_MS = 400;

/** A page of a recent-window query, newest first. */
export interface RecentPage {
  logs: LogEntry[];
  /** More entries may match, older than these. */
  more: boolean;
  /**
   * Set when the read stopped at its time limit rather than at `limit` or
   * the range's start: entries older than this time were not read yet.
   */
  scannedTo?: number;
  /** The cursor that continues right after `logs[index]` (-1: before the first). */
  cursorAfter(index: number): RecentCursor;
}

/**
 * Whether the recent window holds every entry accepted at or after `fromMs`
 * (docs/product.md#recent-window): every shard recorded since, and trimmed
 * nothing since.
 */
export async function windowCovers(reader: RecentReader, fromMs: number): Promise<boolean> {
  const { complete_since: since } = await reader.span();
  return since !== null && fromMs >= since;
}

/**
 * Reads the recent window newest first over `filter`'s time range, from
 * `cursor` when it continues a page, until `limit` entries match.
 */
export async function queryRecent(
  reader: RecentReader,
  filter: EntryFilter,
  limit: number,
  cursor?: RecentCursor,
): Promise<RecentPage> {
  const start = cursor ?? reader.at((filter.toMs ?? Date.now()) + CLOCK_SLACK_MS, 'backward');
  const result = await reader.read(start, {
    limit,
    match: entryMatcher(filter),
    rawMatch: rawMatcher(filter),
    deadline: Date.now() + QUERY_SCAN_MS,
    stopMs: filter.fromMs === undefined ? undefined : filter.fromMs - CLOCK_SLACK_MS,
  });
  const stopped = !result.exhausted && result.entries.length < limit;
  return {
    logs: result.entries,
    more: !result.exhausted,
    // After the last row: where the read stopped, past the entries it read
    // that did not match, so that the next page never reads them again.
    cursorAfter: (index) =>
      index >= result.entries.length - 1 ? result.cursor : result.cursorAfter(index),
    ...(stopped && result.reachedMs !== undefined ? { scannedTo: result.reachedMs } : {}),
  };
}
