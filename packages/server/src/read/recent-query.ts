import type { LogEntry, RecentCursor, RecentReader } from '@godot/shared';
import { type EntryFilter, entryMatcher } from './entry-filter.js';

/**
 * How far apart the server's clock (an entry's `created_at`) and Redis's
 * (a record's id) may be: a range read reaches this far past its bounds,
 * and the entries' own times decide.
 */
const CLOCK_SLACK_MS = 5000;

/** A page of a recent-window query, newest first. */
export interface RecentPage {
  logs: LogEntry[];
  /** More entries may match, older than these. */
  more: boolean;
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
    stopMs: filter.fromMs === undefined ? undefined : filter.fromMs - CLOCK_SLACK_MS,
  });
  return { logs: result.entries, more: !result.exhausted, cursorAfter: result.cursorAfter };
}
