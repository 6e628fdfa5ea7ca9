import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { REDIS_NOT_FOUND_MESSAGE, RedisServer } from './redis-server.js';
import { withRedis } from './with-redis.js';

describe('RedisServer', () => {
  it('starts a private redis on a free port and answers commands', async () => {
    const redis = await RedisServer.start();
    try {
      expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
      expect(existsSync(redis.dir)).toBe(true);
      expect(await withRedis(redis.port, (r) => r.ping())).toBe('PONG');
      expect(await withRedis(redis.port, (r) => r.config('GET', 'maxmemory-policy'))).toEqual([
        'maxmemory-policy',
        'noeviction',
      ]);
      expect(await withRedis(redis.port, (r) => r.config('GET', 'appendonly'))).toEqual([
        'appendonly',
        'no',
      ]);
      await expect(withRedis(redis.port, (r) => r.call('NOSUCHCOMMAND'))).rejects.toBeInstanceOf(
        ReplyError,
      );
    } finally {
      await redis.cleanup();
    }
    expect(redis.running).toBe(false);
    expect(existsSync(redis.dir)).toBe(false);
  });

  it('keeps an acknowledged write across SIGKILL with appendfsync always', async () => {
    const redis = await RedisServer.start({ appendonly: true, appendfsync: 'always' });
    try {
      const port = redis.port;
      expect(await withRedis(port, (r) => r.set('survivor', 'still here'))).toBe('OK');
      await redis.kill();
      expect(redis.running).toBe(false);
      await expect(withRedis(port, (r) => r.ping(), { timeoutMs: 200 })).rejects.toThrow();
      await redis.restart();
      expect(redis.port).toBe(port);
      expect(await withRedis(port, (r) => r.get('survivor'))).toBe('still here');
    } finally {
      await redis.cleanup();
    }
  });

  it('stops gracefully and leaves a directory it did not create', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'godot-redis-test-'));
    try {
      const redis = await RedisServer.start({ dir, appendonly: true });
      expect(await withRedis(redis.port, (r) => r.set('k', 'v'))).toBe('OK');
      await redis.stop();
      await redis.restart();
      expect(await withRedis(redis.port, (r) => r.get('k'))).toBe('v');
      await redis.cleanup();
      expect(existsSync(dir)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says how to install redis-server when the binary is missing', async () => {
    await expect(RedisServer.start({ binary: 'redis-server-does-not-exist' })).rejects.toThrow(
      REDIS_NOT_FOUND_MESSAGE,
    );
  });
});
