import { REDIS_KEYS, silentLogger } from '@godot/shared';
import { RedisServer } from '@godot/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LevelStore } from './level-store.js';

describe('LevelStore: cached levels, shared by every instance', () => {
  let redis: RedisServer;
  const connections: Redis[] = [];
  const stores: LevelStore[] = [];

  /** One server instance's store: its own command and subscriber connections. */
  async function instance(refreshIntervalMs?: number): Promise<LevelStore> {
    const commands = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    const subscriber = new Redis(redis.url, { autoResubscribe: false });
    connections.push(commands, subscriber);
    const store = new LevelStore({
      redis: commands,
      subscriber,
      defaultLevel: 'TRACE',
      logger: silentLogger,
      refreshIntervalMs,
    });
    stores.push(store);
    await new Promise((resolve) => subscriber.once('ready', resolve));
    await store.start();
    return store;
  }

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    for (const store of stores) store.close();
    for (const connection of connections) connection.disconnect();
    await redis?.close();
  });

  it('a level set on one instance applies on another within 100 ms, without reading Redis per call', async () => {
    const [a, b] = [await instance(), await instance()];
    expect(b.cached).toBe(true);
    expect(await b.minimumLevels(['api'])).toEqual(['TRACE']);
    expect(await a.set('api', 'WARN')).toBe('TRACE');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await b.minimumLevels(['api', 'other'])).toEqual(['WARN', 'TRACE']);
    expect(b.cached).toBe(true);
  });

  it('stops trusting its cache while the subscription is down, and reads Redis instead', async () => {
    const [a, b] = [await instance(), await instance()];
    const probe = new Redis(redis.url);
    connections.push(probe);
    // Cut b's subscription: a change announced meanwhile would be missed.
    await probe.client('KILL', 'TYPE', 'pubsub');
    await expect.poll(() => b.cached).toBe(false);
    await a.set('db', 'ERROR');
    expect(await b.minimumLevels(['db'])).toEqual(['ERROR']);
    // Once resubscribed it reloads the hash and trusts the cache again.
    await expect.poll(() => b.cached, { timeout: 5000 }).toBe(true);
    expect(await b.minimumLevels(['db'])).toEqual(['ERROR']);
  });

  it('picks up a hand edit of the hash (no announcement) at its next refresh', async () => {
    const store = await instance(50);
    const probe = new Redis(redis.url);
    connections.push(probe);
    await probe.hset(REDIS_KEYS.levels, 'hand', 'info');
    await expect.poll(() => store.minimumLevels(['hand'])).toEqual(['INFO']);
    await probe.hset(REDIS_KEYS.levels, 'hand', 'not a level');
    await expect.poll(() => store.minimumLevels(['hand'])).toEqual(['TRACE']);
  });
});
