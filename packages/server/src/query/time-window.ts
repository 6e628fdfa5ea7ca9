import type { DeweyClient, DeweyQueryArgs, LogRow } from '@godot/shared';
import { isDeweyTimeBug } from './dewey-time-bug.js';

/** Rows asked of Dewey when Godot applies the time window itself: Dewey's largest page. */
export const GODOT_WINDOW_ROWS = 1000;

/** Dewey's default `limit` (docs/dewey-contract.md#dewey_query_logs). */
const DEWEY_DEFAULT_LIMIT = 100;

/** `logger_query`'s rows, and how the time window was applied when Godot did it. */
export interface WindowedRows {
  logs: LogRow[];
  /** Set when Dewey could not filter by time and Godot did (docs/product.md#logger_query). */
  time_filter?: 'godot';
  /** `false` when the rows Godot fetched may not reach back to `start_time`; absent otherwise. */
  complete?: false;
}

/**
 * Queries Dewey; when it fails on `start_time`/`end_time` with its known bug
 * (dewey-time-bug.ts), asks again without them (newest first, 1000 rows, the
 * other filters kept), keeps the rows whose `created_at` lies within
 * `[start_time, end_time]`, then the caller's `limit` (docs/product.md#logger_query).
 *
 * `complete: false` is set when rows of the window may be missing. The 1000
 * rows are the newest that match the other filters, so every row of the
 * window newer than the oldest fetched is among them. Rows can be missing
 * only when:
 * - Dewey returned a full page (1000 rows: older ones may exist), and
 * - fewer than `limit` rows fell in the window (otherwise the newest `limit`
 *   of the window are all there, and older ones would not be returned
 *   anyway), and
 * - the window reaches back to the oldest row fetched or beyond: no
 *   `start_time`, or `start_time` at or before that row's `created_at`
 *   (at it: rows with the same time may sort after it).
 * A Dewey without the bug filters by itself, and nothing is marked.
 */
export async function queryWithTimeWindow(
  dewey: DeweyClient,
  args: DeweyQueryArgs,
): Promise<WindowedRows> {
  const { start_time, end_time, limit = DEWEY_DEFAULT_LIMIT, ...others } = args;
  if (start_time === undefined && end_time === undefined) {
    return { logs: await dewey.queryLogs(args) };
  }
  try {
    return { logs: await dewey.queryLogs(args) };
  } catch (error) {
    if (!isDeweyTimeBug(error)) throw error;
  }
  const fetched = await dewey.queryLogs({ ...others, limit: GODOT_WINDOW_ROWS });
  const from = start_time === undefined ? undefined : isoMicros(start_time);
  const to = end_time === undefined ? undefined : isoMicros(end_time);
  const inWindow = fetched.filter((row) => {
    const at = isoMicros(row.created_at);
    return (from === undefined || at >= from) && (to === undefined || at <= to);
  });
  const logs = inWindow.slice(0, limit);
  const oldest = fetched.at(-1);
  const mayMissRows =
    fetched.length >= GODOT_WINDOW_ROWS &&
    logs.length < limit &&
    oldest !== undefined &&
    (from === undefined || from <= isoMicros(oldest.created_at));
  return mayMissRows
    ? { logs, time_filter: 'godot', complete: false }
    : { logs, time_filter: 'godot' };
}

const ISO_TIME =
  /^(\d{4}-\d\d-\d\d)(?:[T ](\d\d:\d\d)(?::(\d\d)(?:\.(\d+))?)?)?(Z|[+-]\d\d:?\d\d)?$/i;

/**
 * Microseconds since the epoch of an ISO-8601 time, as Dewey reads it: no
 * offset means UTC, a date alone midnight UTC. Microseconds, not `Date`'s
 * milliseconds: Dewey's `created_at` carries them, and a row 0.4 ms after
 * `end_time` is outside the window. `NaN` (never within a window) when
 * unparsable.
 */
export function isoMicros(text: string): number {
  const match = ISO_TIME.exec(text);
  if (!match) return Number.NaN;
  const [, date, hoursMinutes = '00:00', seconds = '00', fraction = '', zone = 'Z'] = match;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d\d)(\d\d)$/, '$1:$2');
  const millis = Date.parse(`${date}T${hoursMinutes}:${seconds}${offset}`);
  const micros = Number(fraction.padEnd(6, '0').slice(0, 6));
  return millis * 1000 + micros;
}
