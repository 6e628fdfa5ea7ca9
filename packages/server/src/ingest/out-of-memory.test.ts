import { RedisServer } from '@godot/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOutOfMemory } from './out-of-memory.js';

describe('isOutOfMemory, on the errors a real Redis answers', () => {
  let server: RedisServer;
  let redis: Redis;

  beforeAll(async () => {
    server = await RedisServer.start();
    redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    await redis.config('SET', 'maxmemory', '1');
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.close();
  });

  async function failure(run: () => Promise<unknown>): Promise<unknown> {
    try {
      await run();
    } catch (error) {
      return error;
    }
    throw new Error('expected Redis to refuse');
  }

  it('a write refused for lack of memory', async () => {
    expect(isOutOfMemory(await failure(() => redis.set('k', 'v')))).toBe(true);
  });

  it('a MULTI aborted because one of its writes was refused for lack of memory', async () => {
    const error = await failure(() => redis.multi().get('k').set('k', 'v').exec());
    expect(String(error)).toMatch(/EXECABORT/);
    expect(isOutOfMemory(error)).toBe(true);
  });

  it('not any other error', async () => {
    expect(isOutOfMemory(await failure(() => redis.call('NOSUCHCOMMAND')))).toBe(false);
    expect(isOutOfMemory(new Error('OOM in the message text only'))).toBe(false);
    expect(isOutOfMemory(undefined)).toBe(false);
  });
});
