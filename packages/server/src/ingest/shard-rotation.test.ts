import { describe, expect, it } from 'vitest';
import { ShardRotation } from './shard-rotation.js';

describe('ShardRotation', () => {
  it('hands out the shards in turn', () => {
    const rotation = new ShardRotation(['a', 'b', 'c']);
    expect(Array.from({ length: 7 }, () => rotation.next())).toEqual([
      'a',
      'b',
      'c',
      'a',
      'b',
      'c',
      'a',
    ]);
  });

  it('with one shard, always that one', () => {
    const rotation = new ShardRotation(['only']);
    expect([rotation.next(), rotation.next()]).toEqual(['only', 'only']);
  });

  it('refuses to rotate over no shard', () => {
    expect(() => new ShardRotation([])).toThrow(RangeError);
  });
});
