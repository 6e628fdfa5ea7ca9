import { addLogJobs, LOG_JOB_OPTIONS, loadConfig } from '@godot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient } from './connect-client.js';
import { TestStack } from './test-stack.js';
import { FAST_TIMINGS } from './test-stack-options.js';

let stack: TestStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const entry = (message: string) => ({
  component: 'stack-test',
  level: 'INFO' as const,
  message,
  trace_id: null,
  data: null,
  created_at: new Date().toISOString(),
});

describe('TestStack', () => {
  it('gives in-process parts and processes one configuration: private URLs, a fresh queue, test timings', async () => {
    stack = await TestStack.start({ queuePrefix: 'unit', env: { MAX_QUEUE_SIZE: '77' } });
    const { config, env } = stack;
    expect(config.REDIS_URL).toBe(stack.redis.url);
    expect(config.DEWEY_URL).toBe(stack.dewey.url);
    expect(config.QUEUE_NAME).toMatch(/^unit-[0-9a-f]{8}$/);
    expect(config.MAX_QUEUE_SIZE).toBe(77);
    expect(config).toMatchObject({ PORT: 0, WORKER_PORT: 0, HOST: '127.0.0.1' });
    expect(env).toMatchObject({ ...FAST_TIMINGS, QUEUE_NAME: config.QUEUE_NAME });
    // What a process reads from `env` is the in-process config, ports aside.
    expect({ ...loadConfig(env), PORT: 0, WORKER_PORT: 0 }).toEqual(config);
    const other = await TestStack.start({
      fastTimings: false,
      dewey: false,
      env: { DEWEY_URL: 'ws://127.0.0.1:1' },
    });
    try {
      expect(other.config.QUEUE_NAME).not.toBe(config.QUEUE_NAME);
      expect(other.config.RETRY_MAX_DELAY_MS).toBe(loadConfig({}).RETRY_MAX_DELAY_MS);
      expect(other.config.DEWEY_URL).toBe('ws://127.0.0.1:1');
      expect(() => other.dewey).toThrow('no Dewey emulator');
    } finally {
      await other.close();
    }
  });

  it('runs a server and a worker in this process and stores what a client logs', async () => {
    stack = await TestStack.start();
    const server = await stack.startServer();
    await stack.startWorker();
    const client = await connectClient(server.url);
    try {
      await client.callTool({
        name: 'logger_log',
        arguments: { component: 'stack-test', level: 'INFO', message: 'in-process' },
      });
      const rows = await stack.dewey.waitForRows(1);
      expect(rows.map((row) => row.message)).toEqual(['in-process']);
      expect(await stack.waitForHealth()).toMatchObject({ status: 'ok' });
    } finally {
      await client.close();
    }
  });

  it('reads the queue from Redis, and a spawned worker delivers it', async () => {
    stack = await TestStack.start({ dewey: { down: true } });
    expect(stack.dewey.listening).toBe(false);
    await addLogJobs(stack.queue, [{ entries: [entry('a'), entry('b')] }], LOG_JOB_OPTIONS);
    expect(await stack.queueCounts()).toEqual({ wait: 1, active: 0, delayed: 0, failed: 0 });
    const [job] = await stack.waitingJobs();
    expect(job?.entries.map((e) => e.message)).toEqual(['a', 'b']);
    expect(job?.kept).toBe(2);

    const worker = await stack.spawn('worker');
    expect(worker.origin).toBe(`http://127.0.0.1:${worker.env.WORKER_PORT}`);
    await stack.dewey.start();
    const rows = await stack.dewey.waitForRows(2, 20_000);
    expect(rows.map((row) => row.message)).toEqual(['a', 'b']);
    await expect.poll(() => stack?.queueCounts()).toMatchObject({ wait: 0, active: 0 });
  }, 60_000);

  it('runs on a private Redis Cluster', async () => {
    stack = await TestStack.start({ redis: 'cluster' });
    expect(stack.config.REDIS_CLUSTER).toBe(true);
    expect(stack.redisNodes).toHaveLength(3);
    expect(stack.config.REDIS_URL).toBe(stack.cluster?.seeds);
    expect(() => stack?.raw).toThrow('Redis Cluster');
  }, 60_000);
});
