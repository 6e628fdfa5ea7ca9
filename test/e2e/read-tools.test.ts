/**
 * The read tools an assistant debugs with (docs/product.md#reading-logs):
 * `logger_trace`, `logger_summary`, and the `format`, `max_bytes` and
 * `next_cursor` that every read tool shares, against a real stack: private
 * Redis, the Dewey emulator (with and without the real Dewey's time bug),
 * servers and a worker.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callOk, type ReadEntry as Entry } from '../support/read-calls.js';
import { connectClient } from '../support/stack/connect-client.js';
import { TestStack } from '../support/stack/test-stack.js';

type Reply = Record<string, unknown> & {
  logs?: Entry[];
  lines?: string;
  next_cursor?: string;
  truncated?: true;
  returned?: number;
};

const call = <T = Reply>(client: Client, name: string, args: Record<string, unknown>) =>
  callOk<T>(client, name, args);

const log = (
  client: Client,
  component: string,
  message: string,
  over: Record<string, unknown> = {},
) => call(client, 'logger_log', { component, level: 'INFO', message, ...over });

const TRACE = '5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('the read tools', () => {
  let stack: TestStack;
  let client: Client;
  let noWindow: Client;
  /** After the window began to record: queries from then on are the window's. */
  let started: string;

  beforeAll(async () => {
    stack = await TestStack.start({ queuePrefix: 'read-tools' });
    const server = await stack.startServer();
    const off = await stack.startServer({ RECENT_MAX_BYTES: 0 });
    await stack.startWorker();
    client = await connectClient(server.url);
    noWindow = await connectClient(off.url);
    started = new Date(Date.now() + 1).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 2));
  }, 60_000);
  afterAll(async () => {
    await Promise.allSettled([client?.close(), noWindow?.close()]);
    await stack?.close();
  });

  it('logger_trace: one trace across 3 components, exchanges paired, an error, an unanswered request, each entry once', async () => {
    const t = { trace_id: TRACE };
    await log(client, 'gateway', 'request from user', t);
    await log(client, 'gateway', 'MCP request received', {
      ...t,
      data: { method: 'tools/call', id: 7 },
    });
    await log(client, 'fiedler', 'MCP request received', {
      ...t,
      data: { method: 'tools/call', id: 1 },
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    await log(client, 'fiedler', 'MCP response sent', { ...t, data: { id: 1, result: true } });
    await log(client, 'dewey', 'MCP request received', {
      ...t,
      data: { method: 'dewey_query_logs', id: 'q1' },
    });
    await log(client, 'dewey', 'query failed', {
      ...t,
      level: 'ERROR',
      data: { id: 'q1', error: { code: -32603, message: 'connection pool closed' } },
    });
    await log(client, 'other', 'not in the trace');
    const expectTimeline = (reply: Reply) => {
      expect(reply.count).toBe(6);
      expect((reply.components as { component: string }[]).map((c) => c.component)).toEqual([
        'gateway',
        'fiedler',
        'dewey',
      ]);
      expect(reply.errors).toBe(1);
      const exchanges = reply.exchanges as Record<string, unknown>[];
      expect(exchanges).toHaveLength(3);
      const byComponent = Object.fromEntries(exchanges.map((x) => [x.component, x]));
      expect(byComponent.fiedler).toMatchObject({ id: 1, method: 'tools/call', outcome: 'ok' });
      expect(byComponent.fiedler?.latency_ms).toBeGreaterThanOrEqual(30);
      expect(byComponent.dewey).toMatchObject({ outcome: 'error', error_code: -32603 });
      expect(byComponent.gateway).toMatchObject({
        id: 7,
        outcome: 'no response',
        latency_ms: null,
      });
      expect((reply.gaps as unknown[]).length).toBeGreaterThan(0);
    };
    const { reply } = await call(client, 'logger_trace', { trace_id: TRACE });
    expectTimeline(reply);
    expect(reply.logs?.map((entry) => entry.message)).toEqual([
      'request from user',
      'MCP request received',
      'MCP request received',
      'MCP response sent',
      'MCP request received',
      'query failed',
    ]);
    expect(reply.sources).toEqual({ recent: 6, dewey: 0 });
    // Once Dewey has them too, each entry still comes once.
    await expect
      .poll(() => stack.dewey.stored().filter((row) => row.trace_id === TRACE).length, {
        timeout: 10_000,
      })
      .toBe(6);
    const after = await call(client, 'logger_trace', { trace_id: TRACE });
    expectTimeline(after.reply);
    expect(after.reply.sources).toEqual({ recent: 6, dewey: 0 });
    // A server without the window finds the same trace in Dewey alone.
    const fromDewey = await call(noWindow, 'logger_trace', { trace_id: TRACE });
    expectTimeline(fromDewey.reply);
    expect(fromDewey.reply.sources).toEqual({ recent: 0, dewey: 6 });
  });

  it('logger_summary: exact counts by component and level, and patterns that fold numbers, ids and quoted values', async () => {
    const since = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    for (let i = 0; i < 12; i++) {
      await log(client, 'billing', `payment ${1000 + i} for user "u${i}" failed after ${i * 7}ms`, {
        level: 'ERROR',
        trace_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      });
    }
    for (let i = 0; i < 30; i++) {
      await log(
        client,
        'search',
        `query 3f9a8b7c-1d2e-4f5a-9b8c-${String(i).padStart(12, '0')} took ${i}ms`,
      );
    }
    await log(client, 'search', 'cache warmed', { level: 'WARN' });
    const { reply } = await call(client, 'logger_summary', { since });
    expect(reply.source).toBe('recent');
    expect(reply.sampled).toBeUndefined();
    expect(reply.total).toBe(43);
    expect(reply.by_component).toEqual({
      search: { WARN: 1, INFO: 30 },
      billing: { ERROR: 12 },
    });
    const patterns = reply.patterns as {
      pattern: string;
      count: number;
      trace_ids: string[];
      levels: string[];
    }[];
    const payment = patterns.find((p) => p.pattern.startsWith('payment'));
    expect(payment).toMatchObject({
      pattern: 'payment <n> for user "<str>" failed after <n>ms',
      count: 12,
      levels: ['ERROR'],
    });
    expect(payment?.trace_ids).toHaveLength(3);
    expect(patterns.find((p) => p.pattern.startsWith('query'))).toMatchObject({
      pattern: 'query <uuid> took <n>ms',
      count: 30,
    });
    // Filters narrow the counts.
    const errors = await call(client, 'logger_summary', { since, level: 'warn' });
    expect(errors.reply.total).toBe(13);
    const search = await call(client, 'logger_summary', { since, component: 'search' });
    expect(search.reply.total).toBe(31);
    expect(reply.stats).toMatchObject({ dewey: { total_count: expect.any(Number) } });
    // Without a window the counts come from a sample of Dewey's rows, and say so.
    await expect
      .poll(() => stack.dewey.storedCount, { timeout: 10_000 })
      .toBeGreaterThanOrEqual(50);
    const sampled = await call(noWindow, 'logger_summary', { since, component: 'billing' });
    expect(sampled.reply).toMatchObject({
      source: 'dewey',
      sampled: true,
      sample_size: 12,
      total: 12,
    });
  });

  it('every read tool keeps its answer within max_bytes, to the byte, in both formats', async () => {
    const since = started;
    for (let i = 0; i < 40; i++) {
      await log(client, 'budget', `entry ${i} ${'x'.repeat(200)}`, {
        trace_id: TRACE,
        data: { i, blob: 'y'.repeat(300) },
      });
    }
    const calls: [string, Record<string, unknown>][] = [
      ['logger_query', { component: 'budget', start_time: since }],
      ['logger_tail', { component: 'budget', since: '1m', wait_ms: 0 }],
      ['logger_trace', { trace_id: TRACE }],
    ];
    for (const [name, args] of calls) {
      for (const format of ['json', 'lines']) {
        for (const maxBytes of [1000, 3000, 10_000]) {
          const { reply, text } = await call(client, name, {
            ...args,
            format,
            max_bytes: maxBytes,
          });
          const label = `${name} ${format} ${maxBytes}`;
          expect(Buffer.byteLength(text), label).toBeLessThanOrEqual(maxBytes);
          expect(Buffer.byteLength(JSON.stringify(reply)), label).toBeLessThanOrEqual(maxBytes);
          expect(reply.truncated, label).toBe(true);
          if (format === 'lines') {
            expect(reply.logs, label).toBeUndefined();
            expect(
              reply.lines?.split('\n').filter((line) => !line.startsWith('#')).length,
              label,
            ).toBe(reply.returned);
          } else {
            expect(reply.logs?.length, label).toBe(reply.returned);
          }
        }
      }
    }
  });

  it('next_cursor pages through every row once: the window, Dewey, a trace and a tail', async () => {
    const since = started;
    for (let i = 0; i < 25; i++) {
      await log(client, 'pages', `page row ${i} ${'p'.repeat(150)}`, { trace_id: TRACE });
    }
    const pageAll = async (
      target: Client,
      name: string,
      args: Record<string, unknown>,
      cursorKey: string,
    ) => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 60; page++) {
        const { reply } = await call(target, name, {
          ...args,
          max_bytes: 1500,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...(reply.logs ?? []).map((entry) => entry.message));
        const next = reply[cursorKey] as string | undefined;
        if (name === 'logger_tail' ? (reply.logs ?? []).length === 0 : !next) break;
        cursor = next;
      }
      return seen.filter((message) => message.startsWith('page row'));
    };
    const newestFirst = Array.from(
      { length: 25 },
      (_, i) => `page row ${24 - i} ${'p'.repeat(150)}`,
    );
    const oldestFirst = [...newestFirst].reverse();
    expect(
      await pageAll(
        client,
        'logger_query',
        { component: 'pages', start_time: since },
        'next_cursor',
      ),
    ).toEqual(newestFirst);
    expect(await pageAll(client, 'logger_trace', { trace_id: TRACE }, 'next_cursor')).toEqual(
      oldestFirst,
    );
    expect(
      await pageAll(
        client,
        'logger_tail',
        { component: 'pages', since: '2m', wait_ms: 0 },
        'cursor',
      ),
    ).toEqual(oldestFirst);
    // Dewey with working time filters: pages by time.
    await expect
      .poll(() => stack.dewey.stored().filter((row) => row.component === 'pages').length, {
        timeout: 10_000,
      })
      .toBe(25);
    expect(await pageAll(noWindow, 'logger_query', { component: 'pages' }, 'next_cursor')).toEqual(
      newestFirst,
    );
  });
});

describe('the real Dewey, which cannot filter by time', () => {
  let stack: TestStack;
  let client: Client;

  beforeAll(async () => {
    stack = await TestStack.start({ queuePrefix: 'read-bug', dewey: { realDeweyBugs: true } });
    const server = await stack.startServer({ RECENT_MAX_BYTES: 0 });
    await stack.startWorker();
    client = await connectClient(server.url);
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await stack?.close();
  });

  it('says, in the answer, that pages reach back only through its newest 1000 rows', async () => {
    for (let i = 0; i < 30; i++) await log(client, 'bug', `row ${i}`);
    await expect.poll(() => stack.dewey.storedCount, { timeout: 10_000 }).toBe(30);
    const first = await call(client, 'logger_query', { component: 'bug', limit: 10 });
    expect(first.reply.next_cursor).toBeDefined();
    const second = await call(client, 'logger_query', {
      component: 'bug',
      limit: 10,
      cursor: first.reply.next_cursor,
    });
    expect(second.reply.time_filter).toBe('godot');
    expect(second.reply.note).toMatch(/newest 1000/);
    expect(second.reply.logs?.map((entry) => entry.message)).toEqual(
      Array.from({ length: 10 }, (_, i) => `row ${19 - i}`),
    );
  });
});
