import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  connectClient,
  errorText,
  payload,
  type ServerStack,
  startServerStack,
  waitingEntries,
} from '../server.fixture.js';

const HANG = Symbol('no answer within 1 s');

/** The call's outcome, or HANG if it has not settled within REQ-PERF-006's second. */
function withinOneSecond<T>(call: Promise<T>): Promise<T | typeof HANG> {
  return Promise.race([
    call,
    new Promise<typeof HANG>((resolve) => setTimeout(() => resolve(HANG), 1000)),
  ]);
}

describe('logger_log when Redis goes away or loses its scripts', () => {
  let stack: ServerStack;
  let client: Client;
  const log = (message: string) =>
    client.callTool({
      name: 'logger_log',
      arguments: { component: 'c', level: 'INFO', message },
    });

  beforeEach(async () => {
    stack = await startServerStack();
    client = await connectClient((await stack.start()).url);
  });
  afterEach(async () => {
    await client?.close();
    await stack?.close();
  });

  it('answers with a tool error within a second, and resumes once Redis is back', async () => {
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
    const messages = (await waitingEntries(stack.queue)).map((entry) => entry.message).sort();
    expect(messages.filter((m: string) => m.startsWith('during'))).toEqual([]);
    expect(messages).toContain('after');
  });

  it('loads lost scripts again and queues the entry, once and exactly once', async () => {
    // ioredis sends a script's SHA alone once it sent the script on a socket.
    // A node that restarts under a cluster, or a SCRIPT FLUSH, leaves it
    // believing so: inside the MULTI of an add, every EVALSHA then failed
    // with NOSCRIPT, for good (found with a master SIGKILLed under a cluster).
    expect(payload(await log('before'))).toMatchObject({ queued: true });
    await stack.raw.script('FLUSH');
    for (const message of ['after 1', 'after 2']) {
      expect(payload(await log(message))).toMatchObject({ queued: true });
    }
    const messages = (await waitingEntries(stack.queue)).map((entry) => entry.message).sort();
    expect(messages).toEqual(['after 1', 'after 2', 'before']);
    // The bound's account counts each entry once: its job count matches the list.
    const account = await stack.raw.hgetall(stack.queue.toKey('godot-bound'));
    expect(account).toMatchObject({ entries: '3', jobs: '3' });
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
      await expect.poll(async () => (await waitingEntries(stack.queue)).length).toBe(50);
      const kept = (await waitingEntries(stack.queue)).map((entry) => Number(entry.message));
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

  it('never drops on a stale count: jobs that left the wait list are recounted first', async () => {
    const stack = await startServerStack({ MAX_QUEUE_SIZE: 50 });
    try {
      const server = await stack.start();
      const client = await connectClient(server.url);
      const log = (message: string) =>
        client.callTool({
          name: 'logger_log',
          arguments: { component: 'bound', level: 'INFO', message },
        });
      await Promise.all(Array.from({ length: 40 }, (_, i) => log(`a${i}`)));
      // Jobs leave the wait list without the bound's account knowing (a
      // worker taking them, or emptying the queue from the dashboard).
      await stack.queue.drain();
      await Promise.all(Array.from({ length: 20 }, (_, i) => log(`b${i}`)));
      // The account says 60 > 50; a recount finds 20 and drops nothing.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const waiting = (await waitingEntries(stack.queue)).map((entry) => entry.message);
      expect(waiting.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `b${i}`).sort());
      const scrape = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
      expect(scrape).toMatch(/^godot_logs_dropped_total 0$/m);
      // And with the account exact again, the bound still holds to the entry.
      await Promise.all(Array.from({ length: 45 }, (_, i) => log(`c${i}`)));
      await expect.poll(async () => (await waitingEntries(stack.queue)).length).toBe(50);
      const kept = (await waitingEntries(stack.queue)).map((entry) => entry.message);
      expect(kept.slice(-45)).toEqual(Array.from({ length: 45 }, (_, i) => `c${i}`));
      await client.close();
    } finally {
      await stack.close();
    }
  });
});
