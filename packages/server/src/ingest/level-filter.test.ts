import type { Level, LogEntry } from '@godot/shared';
import { describe, expect, it } from 'vitest';
import { filterByLevel } from './level-filter.js';

/** Minimum levels as `LevelStore.minimumLevels` answers them, counting the reads. */
function levels(minimums: Record<string, Level>) {
  const reads: string[][] = [];
  return {
    reads,
    async minimumLevels(components: readonly string[]): Promise<Level[]> {
      reads.push([...components]);
      return components.map((component) => minimums[component] ?? 'TRACE');
    },
  };
}

const call = (component: string, level: Level, settled = false) => ({
  item: { entry: { component, level, message: `${component} ${level}` } as LogEntry },
  settled,
});

describe('filterByLevel', () => {
  it('keeps entries at or above their component level, and reads each component once', async () => {
    const store = levels({ api: 'WARN' });
    const batch = [
      call('api', 'INFO'),
      call('api', 'ERROR'),
      call('db', 'TRACE'),
      call('api', 'WARN'),
    ];
    const below: [string, Level][] = [];
    const accepted = await filterByLevel(batch, store, (c, minimum) =>
      below.push([c.item.entry.message, minimum]),
    );
    expect(accepted.map((c) => c.item.entry.message)).toEqual([
      'api ERROR',
      'db TRACE',
      'api WARN',
    ]);
    expect(below).toEqual([['api INFO', 'WARN']]);
    expect(store.reads).toEqual([['api', 'db']]);
  });

  it('leaves out calls already answered (their deadline passed while levels were read)', async () => {
    const below: unknown[] = [];
    const accepted = await filterByLevel(
      [call('api', 'INFO', true), call('api', 'TRACE', true), call('api', 'INFO')],
      levels({ api: 'INFO' }),
      (c) => below.push(c),
    );
    expect(accepted).toHaveLength(1);
    expect(below).toEqual([]);
  });
});
