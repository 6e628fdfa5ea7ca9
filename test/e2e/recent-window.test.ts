/**
 * The recent window and `logger_tail` (docs/product.md#recent-window,
 * docs/product.md#logger_tail): servers on one Redis, or on a Redis
 * Cluster with 3 shards, each reading what the others accepted, with Dewey
 * up or down.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, type ReadEntry as Entry } from '../support/read-calls.js';
import { connectClient } from '../support/stack/connect-client.js';
import { TestStack } from '../support/stack/test-stack.js';

interface TailReply {
  logs: Entry[];
  cursor: string;
  missed?: number | true;
}
interface QueryReply {
  logs: Entry[];
  source?: string;
  complete?: false;
  next_cursor?: string;
}

const call = async <T>(client: Client, name: string, args: Record<string, unknown>) =>
  (await callOk<T>(client, name, args)).reply;

const log = (client: Client, message: string, over: Record<string, unknown> = {}) =>
  call(client, 'logger_log', { component: 'svc', level: 'INFO', message, ...over });

/** Tails from `cursor` with pages of `limit` until `count` entries came; checks each page's cursor. */
async function tailAll(client: Client, cursor: string, count: number, limit: number) {
  const seen: string[] = [];
  let next = cursor;
  for (let round = 0; seen.length < count && round < count + 20; round++) {
    const reply = await call<TailReply>(client, 'logger_tail', {
      cursor: next,
      limit,
      wait_ms: 2000,
    });
    expect(reply.logs.length).toBeLessThanOrEqual(limit);
    expect(reply.missed).toBeUndefined();
    seen.push(...reply.logs.map((entry) => entry.message));
    next = reply.cursor;
  }
  return { seen, cursor: next };
}

for (const redis of ['single', 'cluster'] as const) {
  describe(`the recent window, ${redis === 'single' ? 'one Redis' : 'a Redis Cluster with 3 shards'}`, () => {
    let stack: TestStack;
    let a: Client;
    let b: Client;

    beforeAll(async () => {
      stack = await TestStack.start({
        redis,
        queuePrefix: 'recent',
        env: redis === 'cluster' ? { QUEUE_SHARDS: '3' } : {},
      });
      const [serverA, serverB] = [await stack.startServer(), await stack.startServer()];
      await stack.startWorker();
      a = await connectClient(serverA.url);
      b = await connectClient(serverB.url);
    }, 60_000);
    afterAll(async () => {
      await Promise.allSettled([a?.close(), b?.close()]);
      await stack?.close();
    });

    it('a tail on B sees what A accepted, in order, with no gap across cursors', async () => {
      const start = await call<TailReply>(b, 'logger_tail', { wait_ms: 0 });
      expect(start.logs).toEqual([]);
      const sent = Array.from({ length: 60 }, (_, i) => `a-${redis}-${i}`);
      for (const message of sent) await log(a, message);
      const { seen } = await tailAll(b, start.cursor, sent.length, 7);
      expect(seen).toEqual(sent);
    });

    it('a tail waits for the first entry, and one logged meanwhile on the other server ends it', async () => {
      const { cursor } = await call<TailReply>(b, 'logger_tail', { wait_ms: 0 });
      const waiting = call<TailReply>(b, 'logger_tail', { cursor, wait_ms: 20_000 });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await log(a, `woken-${redis}`);
      const reply = await waiting;
      expect(reply.logs.map((entry) => entry.message)).toEqual([`woken-${redis}`]);
    });

    it('an expired wait answers empty, with a cursor that still works', async () => {
      const { cursor } = await call<TailReply>(b, 'logger_tail', { wait_ms: 0 });
      const empty = await call<TailReply>(b, 'logger_tail', { cursor, wait_ms: 200 });
      expect(empty.logs).toEqual([]);
      await log(a, `after-empty-${redis}`);
      const next = await call<TailReply>(b, 'logger_tail', { cursor: empty.cursor, wait_ms: 2000 });
      expect(next.logs.map((entry) => entry.message)).toEqual([`after-empty-${redis}`]);
    });

    it('filters by component, minimum level, trace id and text in message or data', async () => {
      const { cursor } = await call<TailReply>(b, 'logger_tail', { wait_ms: 0 });
      const trace = '0b9c5a0e-8a52-4a9e-9f43-3c1f3c7a1d11';
      await log(a, 'plain', { component: 'fiedler' });
      await log(a, 'failed to call', { component: 'fiedler', level: 'ERROR' });
      await log(a, 'traced', { component: 'dewey', trace_id: trace });
      await log(a, 'has data', { component: 'dewey', data: { Needle: 'HayStack' } });
      const messages = async (filter: Record<string, unknown>) =>
        (await call<TailReply>(b, 'logger_tail', { cursor, wait_ms: 0, ...filter })).logs.map(
          (entry) => entry.message,
        );
      expect(await messages({ component: 'fiedler' })).toEqual(['plain', 'failed to call']);
      expect(await messages({ level: 'warn' })).toEqual(['failed to call']);
      expect(await messages({ trace_id: trace.toUpperCase() })).toEqual(['traced']);
      expect(await messages({ search: 'FAILED' })).toEqual(['failed to call']);
      expect(await messages({ search: 'haystack' })).toEqual(['has data']);
      expect(await messages({ since: '1h', search: 'has data' })).toEqual(['has data']);
    });

    it('a query whose start_time lies in the window is answered from it, complete', async () => {
      const from = new Date().toISOString();
      for (let i = 0; i < 30; i++) await log(a, `q-${i}`, { component: 'query-test' });
      const reply = await call<QueryReply>(b, 'logger_query', {
        component: 'query-test',
        start_time: from,
        limit: 12,
      });
      expect(reply.source).toBe('recent');
      expect(reply.logs.map((entry) => entry.message)).toEqual(
        Array.from({ length: 12 }, (_, i) => `q-${29 - i}`),
      );
      // The next pages, with no row lost or repeated.
      const all = reply.logs.map((entry) => entry.message);
      let cursor = reply.next_cursor;
      while (cursor) {
        const page = await call<QueryReply>(b, 'logger_query', {
          component: 'query-test',
          start_time: from,
          limit: 12,
          cursor,
        });
        all.push(...page.logs.map((entry) => entry.message));
        cursor = page.next_cursor;
      }
      expect(all).toEqual(Array.from({ length: 30 }, (_, i) => `q-${29 - i}`));
    });

    it('a tail still sees new entries while Dewey is down', async () => {
      await stack.dewey.stop();
      try {
        const { cursor } = await call<TailReply>(b, 'logger_tail', { wait_ms: 0 });
        await log(a, `during-outage-${redis}`);
        const reply = await call<TailReply>(b, 'logger_tail', { cursor, wait_ms: 2000 });
        expect(reply.logs.map((entry) => entry.message)).toEqual([`during-outage-${redis}`]);
      } finally {
        await stack.dewey.start();
      }
    });
  });
}

describe('the recent window at its bounds', () => {
  let stack: TestStack;
  let small: Client;
  let noWindow: Client;

  beforeAll(async () => {
    stack = await TestStack.start({ queuePrefix: 'recent-bounds', dewey: { realDeweyBugs: true } });
    // A window of about 40 entries of ~150 bytes.
    const server = await stack.startServer({ RECENT_MAX_BYTES: 6000 });
    const off = await stack.startServer({ RECENT_MAX_BYTES: 0 });
    await stack.startWorker();
    small = await connectClient(server.url);
    noWindow = await connectClient(off.url);
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled([small?.close(), noWindow?.close()]);
    await stack?.close();
  });

  it('a cursor older than the window gets what is left, and how many it missed', async () => {
    const { cursor } = await call<TailReply>(small, 'logger_tail', { wait_ms: 0 });
    for (let i = 0; i < 100; i++) await log(small, `bound-${String(i).padStart(3, '0')}`);
    const reply = await call<TailReply>(small, 'logger_tail', { cursor, wait_ms: 0, limit: 1000 });
    expect(reply.missed).toBeGreaterThan(0);
    expect((reply.missed as number) + reply.logs.length).toBe(100);
    expect(reply.logs.at(-1)?.message).toBe('bound-099');
    const bytes = reply.logs.reduce(
      (sum, entry) => sum + Buffer.byteLength(JSON.stringify(entry)),
      0,
    );
    expect(bytes).toBeLessThanOrEqual(6000);
  });

  it('without a window, logger_tail says so, and queries go to Dewey', async () => {
    const result = await noWindow.callTool({ name: 'logger_tail', arguments: { wait_ms: 0 } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('RECENT_MAX_BYTES');
  });

  it('returns every matching row of a time range where the Dewey workaround stops at its newest 1,000', async () => {
    const server = await stack.startServer();
    const client = await connectClient(server.url);
    try {
      const from = new Date().toISOString();
      for (let i = 0; i < 20; i++) await log(client, `early-${i}`, { component: 'range' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const to = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
      // 1,200 later rows, delivered to Dewey, push the early ones out of its newest 1,000.
      for (let i = 0; i < 40; i++) {
        await Promise.all(
          Array.from({ length: 30 }, (_, j) =>
            log(client, `late-${i}-${j}`, { component: 'range' }),
          ),
        );
      }
      await expect
        .poll(() => stack.dewey.storedCount, { timeout: 20_000 })
        .toBeGreaterThanOrEqual(1220);
      const range = { component: 'range', start_time: from, end_time: to, limit: 1000 };
      const dewey = await call<QueryReply>(noWindow, 'logger_query', range);
      expect(dewey.source).toBe('dewey');
      expect(dewey.logs).toEqual([]);
      expect(dewey.complete).toBe(false);
      const recent = await call<QueryReply>(client, 'logger_query', range);
      expect(recent.source).toBe('recent');
      expect(recent.logs.map((entry) => entry.message)).toEqual(
        Array.from({ length: 20 }, (_, i) => `early-${19 - i}`),
      );
    } finally {
      await client.close();
    }
  });
});
