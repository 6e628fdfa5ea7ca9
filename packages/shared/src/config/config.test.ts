import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, redisSeeds } from './config.js';

describe('loadConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 9060,
      HOST: '0.0.0.0',
      REDIS_URL: 'redis://127.0.0.1:6379',
      DEWEY_URL: 'ws://dewey-mcp:9020',
      BATCH_SIZE: 100,
      BATCH_TIMEOUT_MS: 100,
      MAX_QUEUE_SIZE: 100_000,
      MAX_ENTRY_BYTES: 1_048_576,
      BATCH_MAX_BYTES: 8_388_608,
      DEWEY_TIMEOUT_MS: 10_000,
      RETRY_INITIAL_DELAY_MS: 1000,
      RETRY_MAX_DELAY_MS: 30_000,
      DEFAULT_LOG_LEVEL: 'TRACE',
      LOG_LEVEL: 'info',
      WORKER_PORT: 9061,
    });
    expect(config.AUTH_TOKEN).toBeUndefined();
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads the cluster settings: seeds, shards, and the shards a worker takes', () => {
    const config = loadConfig({
      REDIS_CLUSTER: 'true',
      REDIS_URL: 'redis://a:7000, redis://b:7001',
      QUEUE_SHARDS: '6',
      WORKER_SHARDS: '4-5,0,2',
    });
    expect(config).toMatchObject({ REDIS_CLUSTER: true, QUEUE_SHARDS: 6 });
    expect(redisSeeds(config.REDIS_URL)).toEqual(['redis://a:7000', 'redis://b:7001']);
    expect(config.WORKER_SHARDS).toEqual([0, 2, 4, 5]);
    expect(loadConfig({})).toMatchObject({ REDIS_CLUSTER: false, QUEUE_SHARDS: 1 });
    expect(loadConfig({}).WORKER_SHARDS).toBeUndefined();
  });

  it('reads DEWEY_MCP_URL as DEWEY_URL, DEWEY_URL winning', () => {
    expect(loadConfig({ DEWEY_MCP_URL: 'ws://a:1' }).DEWEY_URL).toBe('ws://a:1');
    expect(loadConfig({ DEWEY_MCP_URL: 'ws://a:1', DEWEY_URL: 'ws://b:2' }).DEWEY_URL).toBe(
      'ws://b:2',
    );
  });

  it.each([
    [{ BATCH_SIZE: '1001' }, 'BATCH_SIZE', 'at most 1000'],
    [{ PORT: 'eighty' }, 'PORT', 'must be a number'],
    [{ REDIS_URL: 'http://x' }, 'REDIS_URL', 'redis://'],
    [{ REDIS_URL: 'redis://a:1,redis://b:2' }, 'REDIS_URL', 'REDIS_CLUSTER=true'],
    [{ REDIS_CLUSTER: 'true', REDIS_URL: 'redis://a:1,http://b' }, 'REDIS_URL', 'commas'],
    [{ REDIS_CLUSTER: 'maybe' }, 'REDIS_CLUSTER', 'true or false'],
    [{ QUEUE_SHARDS: '0' }, 'QUEUE_SHARDS', 'at least 1'],
    [{ WORKER_SHARDS: '1,x' }, 'WORKER_SHARDS', '0,2,4 or 0-2'],
    [{ WORKER_SHARDS: '3-1' }, 'WORKER_SHARDS', '0,2,4 or 0-2'],
    [{ QUEUE_SHARDS: '3', WORKER_SHARDS: '1-3' }, 'WORKER_SHARDS', 'shard 3 does not exist'],
    [{ DEWEY_MCP_URL: 'nope' }, 'DEWEY_MCP_URL', 'ws://'],
    [{ DEFAULT_LOG_LEVEL: 'LOUD' }, 'DEFAULT_LOG_LEVEL', 'must be one of'],
    [{ LOG_LEVEL: 'verbose' }, 'LOG_LEVEL', 'must be one of'],
    [
      { RETRY_INITIAL_DELAY_MS: '5000', RETRY_MAX_DELAY_MS: '100' },
      'RETRY_MAX_DELAY_MS',
      'RETRY_INITIAL_DELAY_MS',
    ],
  ])('names the bad variable in %j', (env, variable, text) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(text);
  });

  it('reads the limits, and refuses an origin that is not one', () => {
    const config = loadConfig({
      ALLOWED_ORIGINS: ' https://app.example.com , http://localhost:3000',
      MAX_QUEUE_BYTES: String(32 * 1024 * 1024),
    });
    expect(config.ALLOWED_ORIGINS).toEqual(['https://app.example.com', 'http://localhost:3000']);
    expect(config.MAX_QUEUE_BYTES).toBe(32 * 1024 * 1024);
    expect(loadConfig({}).ALLOWED_ORIGINS).toEqual([]);
    for (const bad of ['*', 'app.example.com', 'https://app.example.com/path']) {
      expect(() => loadConfig({ ALLOWED_ORIGINS: bad })).toThrow(
        expect.objectContaining({ variable: 'ALLOWED_ORIGINS' }),
      );
    }
  });

  it('treats empty strings as unset', () => {
    const config = loadConfig({ AUTH_TOKEN: '', PORT: '' });
    expect([config.PORT, config.AUTH_TOKEN]).toEqual([9060, undefined]);
  });
});
