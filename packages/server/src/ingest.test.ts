import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectClient,
  errorText,
  payload,
  type ServerStack,
  startServerStack,
} from './server.fixture.js';

const HANG = Symbol('no answer within 1 s');

/** The call's outcome, or HANG if it has not settled within REQ-PERF-006's second. */
function withinOneSecond<T>(call: Promise<T>): Promise<T | typeof HANG> {
  return Promise.race([
    call,
    new Promise<typeof HANG>((resolve) => setTimeout(() => resolve(HANG), 1000)),
  ]);
}

describe('logger_log when Redis goes away', () => {
  let stack: ServerStack;
  let client: Client;

  beforeAll(async () => {
    stack = await startServerStack();
    client = await connectClient((await stack.start()).url);
  });
  afterAll(async () => {
    await client?.close();
    await stack?.close();
  });

  it('answers with a tool error within a second, and resumes once Redis is back', async () => {
    const log = (message: string) =>
      client.callTool({
        name: 'logger_log',
        arguments: { component: 'c', level: 'INFO', message },
      });
    expect(payload(await log('before'))).toMatchObject({ queued: true });

    await stack.redis.stop();
    for (const message of ['during 1', 'during 2', 'during 3']) {
      const result = await withinOneSecond(log(message));
      expect(result).not.toBe(HANG);
      expect(errorText(result)).toMatch(/^queue unavailable, entry not queued/);
    }

    await stack.redis.restart();
    await expect
      .poll(async () => (await log('after')).isError ?? false, { timeout: 10_000, interval: 200 })
      .toBe(false);
    const messages = (await stack.queue.getJobs(['waiting'])).map((job) => job.data.message).sort();
    expect(messages.filter((m: string) => m.startsWith('during'))).toEqual([]);
    expect(messages).toContain('after');
  });
});

describe('the MAX_QUEUE_SIZE bound', () => {
  it('keeps exactly the newest entries and counts every drop', async () => {
    const stack = await startServerStack({ MAX_QUEUE_SIZE: 50 });
    try {
      const server = await stack.start();
      const client = await connectClient(server.url);
      // Sequential calls: each entry's place in the queue is its send order.
      for (let i = 0; i < 80; i += 1) {
        await client.callTool({
          name: 'logger_log',
          arguments: { component: 'bound', level: 'INFO', message: `${i}` },
        });
      }
      // And a burst of concurrent ones that share flushes.
      await Promise.all(
        Array.from({ length: 70 }, (_, i) =>
          client.callTool({
            name: 'logger_log',
            arguments: { component: 'bound', level: 'INFO', message: `${80 + i}` },
          }),
        ),
      );
      // The bound is enforced right after the replies, off the reply path.
      await expect.poll(() => stack.queue.getWaitingCount()).toBe(50);
      const waiting = await stack.queue.getJobs(['waiting'], 0, -1, true);
      const kept = waiting.map((job) => Number(job.data.message)).sort((x, y) => x - y);
      expect(kept).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
      // Dropped jobs leave no data behind.
      expect(await stack.queue.getJob('1')).toBeUndefined();
      const scrape = async () => (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      await expect.poll(scrape).toMatch(/^godot_logs_dropped_total 100$/m);
      await client.close();
    } finally {
      await stack.close();
    }
  });
});
