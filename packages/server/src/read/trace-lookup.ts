import type { DeweyClient, Logger, RecentReader } from '@godot/shared';
import { canonicalCreatedAt, createdAtMicros, type ReadEntry } from './analysis/read-entry.js';

/** A trace's entries, oldest first, and where they came from. */
export interface TraceEntries {
  entries: ReadEntry[];
  sources: { recent: number; dewey: number };
  /** Set when Dewey could not be asked: the entries are the window's only. */
  dewey_error?: string;
  /** Dewey returned its most rows: older entries of the trace may be missing. */
  dewey_limited?: true;
}

/** Dewey's largest page. */
const DEWEY_ROWS = 1000;

/**
 * Every entry of one trace, from the recent window (its trace lists: no
 * scan) and from Dewey, each once, oldest first (docs/product.md#logger_trace).
 * An entry delivered to Dewey and still in the window is the same entry:
 * same time to the millisecond, component, level, message and trace.
 */
export async function traceEntries(
  deps: { recent?: RecentReader; dewey: DeweyClient; logger: Logger },
  traceId: string,
): Promise<TraceEntries> {
  const [recent, dewey] = await Promise.all([
    deps.recent ? deps.recent.trace(traceId) : Promise.resolve([]),
    deps.dewey.queryLogs({ trace_id: traceId, limit: DEWEY_ROWS }).then(
      (rows) => ({ rows }),
      (error: Error) => ({ rows: [], error: error.message }),
    ),
  ]);
  const seen = new Set(recent.map(identity));
  const fromDewey: ReadEntry[] = [];
  for (const row of dewey.rows) {
    // Dewey's rows carry the levels Godot stored: a `ReadEntry`'s.
    const entry = row as unknown as ReadEntry;
    if (!seen.has(identity(entry))) fromDewey.push(entry);
  }
  const entries = [...(recent as ReadEntry[]), ...fromDewey]
    .map((entry, order) => ({ entry, order, at: createdAtMicros(entry.created_at) }))
    // Oldest first; entries of one time keep the window's order.
    .sort((a, b) => a.at - b.at || a.order - b.order)
    .map(({ entry }) => entry);
  const result: TraceEntries = {
    entries,
    sources: { recent: recent.length, dewey: fromDewey.length },
  };
  if ('error' in dewey) result.dewey_error = dewey.error;
  if (dewey.rows.length >= DEWEY_ROWS) result.dewey_limited = true;
  return result;
}

/** What makes an entry the same one in the window and in Dewey. */
function identity(entry: ReadEntry): string {
  return JSON.stringify([
    canonicalCreatedAt(entry.created_at),
    entry.component,
    entry.level,
    entry.message,
  ]);
}
