import { ReplyError } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../free-port.js';
import { RedisServer } from './redis-server.js';
import { withRedis } from './with-redis.js';

describe('withRedis', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await redis?.cleanup();
  });

  it('runs commands on one connection and closes it', async () => {
    const clients = () =>
      withRedis(redis.port, async (r) => {
        const list = String(await r.client('LIST'));
        return list.split('\n').filter(Boolean).length;
      });
    expect(await withRedis(redis.port, (r) => r.ping())).toBe('PONG');
    // Only the probe itself is connected: earlier probes closed theirs.
    expect(await clients()).toBe(1);
  });

  it('passes error replies on as ioredis ReplyErrors', async () => {
    await expect(withRedis(redis.port, (r) => r.call('NOSUCHCOMMAND'))).rejects.toBeInstanceOf(
      ReplyError,
    );
  });

  it('rejects at once, with the cause, when nothing listens', async () => {
    const port = await freePort();
    const started = Date.now();
    await expect(withRedis(port, (r) => r.ping(), { timeoutMs: 5000 })).rejects.toThrow(
      /ECONNREFUSED/,
    );
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives up on a frozen server after timeoutMs', async () => {
    const frozen = await RedisServer.start();
    try {
      process.kill(frozen.pid ?? 0, 'SIGSTOP');
      const started = Date.now();
      await expect(withRedis(frozen.port, (r) => r.ping(), { timeoutMs: 300 })).rejects.toThrow(
        /timed out/i,
      );
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      process.kill(frozen.pid ?? 0, 'SIGCONT');
      await frozen.cleanup();
    }
  });
});
