import { boundAccountKey, workerHeartbeatKey } from '@godot/shared';
import { describe, expect, it } from 'vitest';
import {
  connectClient,
  errorText,
  metricSample,
  payload,
  startServerStack,
  waitingEntries,
} from '../server.fixture.js';

const MiB = 1024 * 1024;

describe('Redis memory is bounded in bytes, not only by count', () => {
  it('MAX_QUEUE_BYTES drops the oldest entries and counts them', async () => {
    const stack = await startServerStack({ MAX_QUEUE_BYTES: MiB });
    try {
      const server = await stack.start();
      const client = await connectClient(server.url);
      // 30 entries of ~100,150 bytes serialized: 3 MB in, 1 MiB holds the newest 10.
      for (let i = 0; i < 30; i += 1) {
        await client.callTool({
          name: 'logger_log',
          arguments: { component: 'big', level: 'INFO', message: `${i}:${'x'.repeat(100_000)}` },
        });
      }
      await expect.poll(() => metricSample(server, 'godot_logs_dropped_total')).toBe(20);
      const kept = (await waitingEntries(stack.queue)).map((entry) => entry.message.split(':')[0]);
      expect(kept).toEqual(Array.from({ length: 10 }, (_, i) => String(20 + i)));
      const account = await stack.raw.hgetall(boundAccountKey(stack.queue));
      expect(Number(account.bytes)).toBeLessThanOrEqual(MiB);
      await client.close();
    } finally {
      await stack.close();
    }
  });

  it('trims the paused list too, while the queue is paused from the dashboard', async () => {
    const stack = await startServerStack({ MAX_QUEUE_SIZE: 20 });
    try {
      const server = await stack.start();
      const client = await connectClient(server.url);
      await stack.queue.pause();
      for (let i = 0; i < 50; i += 1) {
        await client.callTool({
          name: 'logger_log',
          arguments: { component: 'paused', level: 'INFO', message: String(i) },
        });
      }
      await expect.poll(() => metricSample(server, 'godot_logs_dropped_total')).toBe(30);
      expect(await stack.raw.llen(stack.queue.toKey('paused'))).toBe(20);
      await stack.queue.resume();
      expect(await stack.raw.llen(stack.queue.toKey('wait'))).toBe(20);
      await client.close();
    } finally {
      await stack.close();
    }
  });

  it('out of memory: a clear refusal that says nothing was queued, and the server keeps serving', async () => {
    const stack = await startServerStack();
    try {
      const server = await stack.start();
      const client = await connectClient(server.url);
      const log = (message: string) =>
        client.callTool({
          name: 'logger_log',
          arguments: { component: 'oom', level: 'INFO', message },
        });
      expect(payload(await log('before'))).toMatchObject({ queued: true });
      const used = Number(/used_memory:(\d+)/.exec(await stack.raw.info('memory'))?.[1]);
      await stack.raw.config('SET', 'maxmemory', String(used + 2 * MiB));
      let refusal = '';
      for (let i = 0; i < 20 && refusal === ''; i += 1) {
        const result = await log(`${i}:${'y'.repeat(500_000)}`);
        if ((result as { isError?: boolean }).isError) refusal = errorText(result);
      }
      expect(refusal).toBe('queue full (Redis out of memory), entry not queued');
      // /health says so (a worker beats, so only memory can make it fail).
      await stack.raw.zadd(workerHeartbeatKey(stack.config.QUEUE_NAME), Date.now(), 'w');
      const health = async () => {
        const response = await fetch(`http://127.0.0.1:${server.port}/health`);
        return { code: response.status, body: (await response.json()) as { redis: object } };
      };
      await expect.poll(async () => (await health()).code, { timeout: 3000 }).toBe(503);
      expect((await health()).body.redis).toMatchObject({
        up: true,
        error: expect.stringContaining('out of memory'),
      });
      // Room again: logging resumes by itself.
      await stack.raw.config('SET', 'maxmemory', '0');
      expect(payload(await log('after'))).toMatchObject({ queued: true });
      await stack.raw.zadd(workerHeartbeatKey(stack.config.QUEUE_NAME), Date.now(), 'w');
      await expect.poll(async () => (await health()).code, { timeout: 3000 }).toBe(200);
      await client.close();
    } finally {
      await stack.close();
    }
  });
});
