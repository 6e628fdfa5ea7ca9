import { GROUP_SEPARATOR, type LogEntry, type RecentGroup, type RecentIndex } from '@godot/shared';
import { cutText } from '../read/analysis/cut-text.js';
import { messagePattern } from '../read/analysis/message-pattern.js';
import { MAX_EXAMPLE_CHARS } from '../read/analysis/summarize.js';

/**
 * The index of a flush's entries for the recent window
 * (docs/data-path.md#recent-window): their distinct trace ids, and their
 * counts by message pattern, level and component with the earliest entry
 * and the latest time of each. Entries come oldest first. Computed once per
 * flush, so `logger_trace` and `logger_summary` read counters and lists
 * rather than the whole window.
 */
export function recentIndex(entries: readonly LogEntry[]): RecentIndex {
  const traces = new Set<string>();
  const groups = new Map<string, RecentGroup>();
  for (const entry of entries) {
    if (entry.trace_id !== null) traces.add(entry.trace_id);
    const field = [messagePattern(entry.message), entry.level, entry.component].join(
      GROUP_SEPARATOR,
    );
    const group = groups.get(field);
    if (group) {
      group.count++;
      group.last = entry.created_at;
      const trace = entry.trace_id;
      if (trace !== null && group.traces.length < 3 && !group.traces.includes(trace)) {
        group.traces.push(trace);
      }
      continue;
    }
    groups.set(field, {
      field,
      count: 1,
      earliestJson: JSON.stringify({
        m: cutText(entry.message, MAX_EXAMPLE_CHARS),
        t: entry.trace_id,
        at: entry.created_at,
      }),
      last: entry.created_at,
      traces: entry.trace_id === null ? [] : [entry.trace_id],
    });
  }
  return { traces: [...traces], groups: [...groups.values()] };
}
