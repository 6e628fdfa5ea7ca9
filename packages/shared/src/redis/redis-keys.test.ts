import { describe, expect, it } from 'vitest';
import {
  BULLMQ_PREFIX,
  boundAccountKey,
  bullmqKey,
  clusterShardPrefix,
  mcpSessionsKey,
  REDIS_KEYS,
} from './redis-keys.js';

describe('Redis names', () => {
  it("keep the Python Godot's names, so that an upgrade finds its data", () => {
    expect(REDIS_KEYS.levels).toBe('logger_config:levels');
    expect(REDIS_KEYS.legacyQueue).toBe('logs:queue');
  });

  it("keep BullMQ's default prefix on one Redis, and one hash tag per shard on a cluster", () => {
    expect(BULLMQ_PREFIX).toBe('bull');
    expect(bullmqKey('godot-logs', 'wait')).toBe('bull:godot-logs:wait');
    expect(bullmqKey('godot-logs', 'wait', clusterShardPrefix(2))).toBe(
      '{godot:2}:godot-logs:wait',
    );
  });

  it("put the bound's account under the queue's prefix, in the queue's slot", () => {
    const queue = { toKey: (suffix: string) => bullmqKey('q', suffix, clusterShardPrefix(0)) };
    expect(boundAccountKey(queue)).toBe('{godot:0}:q:godot-bound');
  });

  it("name each queue's /mcp sessions", () => {
    expect(mcpSessionsKey('godot-logs')).toBe('godot:godot-logs:mcp-sessions');
  });
});
