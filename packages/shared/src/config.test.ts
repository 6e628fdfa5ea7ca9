import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

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
