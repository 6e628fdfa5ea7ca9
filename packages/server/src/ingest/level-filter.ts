import { isAtLeast, type Level, type LogEntry } from '@godot/shared';
import type { LevelStore } from './level-store.js';

/** What the filter needs of a waiting call. */
interface FilteredCall {
  readonly item: { readonly entry: LogEntry };
  readonly settled: boolean;
}

/**
 * The calls of `batch` whose entry is at or above its component's minimum
 * level, read once per component for the whole batch (from the cache of
 * `levels`, or one Redis round trip). `below` is told of each other call,
 * with the level it missed; calls already answered (their deadline passed
 * while the levels were read) are left out of both.
 */
export async function filterByLevel<C extends FilteredCall>(
  batch: readonly C[],
  levels: Pick<LevelStore, 'minimumLevels'>,
  below: (call: C, minimum: Level) => void,
): Promise<C[]> {
  const components = [...new Set(batch.map((call) => call.item.entry.component))];
  const minimums = new Map(
    (await levels.minimumLevels(components)).map((level, index) => [components[index], level]),
  );
  const accepted: C[] = [];
  for (const call of batch) {
    if (call.settled) continue;
    const minimum = minimums.get(call.item.entry.component) ?? 'TRACE';
    if (isAtLeast(call.item.entry.level, minimum)) accepted.push(call);
    else below(call, minimum);
  }
  return accepted;
}
