import { describe, expect, it } from 'vitest';
import { queueShards, shardShare } from './queue-shards.js';

describe('queueShards', () => {
  it('keeps one Redis unchanged: shard 0 is bull:<QUEUE_NAME>, others <QUEUE_NAME>-<i>', () => {
    expect(queueShards({ QUEUE_NAME: 'logs', QUEUE_SHARDS: 1, REDIS_CLUSTER: false })).toEqual([
      { index: 0, name: 'logs', prefix: 'bull' },
    ]);
    expect(
      queueShards({ QUEUE_NAME: 'logs', QUEUE_SHARDS: 3, REDIS_CLUSTER: false }).map(
        (shard) => `${shard.prefix}:${shard.name}`,
      ),
    ).toEqual(['bull:logs', 'bull:logs-1', 'bull:logs-2']);
  });

  it('gives each shard on a cluster a hash-tagged prefix that does not depend on the count', () => {
    const three = queueShards({ QUEUE_NAME: 'logs', QUEUE_SHARDS: 3, REDIS_CLUSTER: true });
    expect(three.map((shard) => shard.prefix)).toEqual(['{godot:0}', '{godot:1}', '{godot:2}']);
    expect(three.every((shard) => shard.name === 'logs')).toBe(true);
    const six = queueShards({ QUEUE_NAME: 'logs', QUEUE_SHARDS: 6, REDIS_CLUSTER: true });
    expect(six.slice(0, 3)).toEqual(three);
  });
});

describe('shardShare', () => {
  it('splits a bound so that the shards together never exceed it, at least 1 each', () => {
    expect(shardShare(100_000, 1)).toBe(100_000);
    expect(shardShare(100_000, 6)).toBe(16_666);
    expect(shardShare(100_000, 6) * 6).toBeLessThanOrEqual(100_000);
    expect(shardShare(5, 10)).toBe(1);
  });
});
