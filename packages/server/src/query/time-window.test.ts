import { DeweyEmulator } from '@godot/testkit';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectClient, errorText, type ServerStack, startServerStack } from '../server.fixture.js';
import { GODOT_WINDOW_ROWS, isoMicros } from './time-window.js';

interface Reply {
  logs: { message: string; created_at: string }[];
  time_filter?: string;
  complete?: boolean;
}

/** Rows stored straight into an emulator, `created_at` given (Dewey's store has no time bug). */
async function store(dewey: DeweyEmulator, logs: { message: string; created_at: string }[]) {
  const probe = await connectClient(dewey.url);
  try {
    for (let at = 0; at < logs.length; at += 1000) {
      const result = await probe.callTool({
        name: 'dewey_store_logs_batch',
        arguments: {
          logs: logs.slice(at, at + 1000).map((log) => ({
            component: 'window',
            level: 'INFO',
            trace_id: null,
            data: null,
            ...log,
          })),
        },
      });
      expect(result.isError).toBeFalsy();
    }
  } finally {
    await probe.close();
  }
}

const hour = (n: number) => new Date(Date.UTC(2026, 10, 20, n)).toISOString();

describe('logger_query time windows, Dewey with and without its bug', () => {
  let stack: ServerStack;
  let buggy: DeweyEmulator;
  const clients: Record<'fixed' | 'buggy', Client> = {} as never;

  beforeAll(async () => {
    [stack, buggy] = await Promise.all([
      startServerStack(),
      DeweyEmulator.start({ realDeweyBugs: true }),
    ]);
    clients.fixed = await connectClient((await stack.start()).url);
    clients.buggy = await connectClient((await stack.start({ DEWEY_URL: buggy.url })).url);
  });
  afterAll(async () => {
    await Promise.allSettled(Object.values(clients).map((client) => client.close()));
    await Promise.allSettled([stack?.close(), buggy?.close()]);
  });

  const query = async (which: 'fixed' | 'buggy', args: Record<string, unknown>) => {
    const result = await clients[which].callTool({ name: 'logger_query', arguments: args });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const text = (result.content as { text: string }[])[0]?.text;
    expect(text).toBe(JSON.stringify(result.structuredContent));
    return result.structuredContent as unknown as Reply;
  };

  const seed = async (logs: { message: string; created_at: string }[]) => {
    stack.dewey.clear();
    buggy.clear();
    await Promise.all([store(stack.dewey, logs), store(buggy, logs)]);
  };

  it('gives the same rows either way; only the buggy Dewey is marked time_filter:"godot"', async () => {
    await seed(Array.from({ length: 6 }, (_, n) => ({ message: `h${n}`, created_at: hour(n) })));
    const window = { component: 'window', start_time: hour(1), end_time: hour(3) };
    const fixed = await query('fixed', window);
    expect(fixed).toEqual({ logs: expect.any(Array), source: 'dewey', returned: 3 });
    expect(fixed.logs.map((log) => log.message)).toEqual(['h3', 'h2', 'h1']);
    const godot = await query('buggy', window);
    expect(godot).toEqual({
      logs: expect.any(Array),
      source: 'dewey',
      time_filter: 'godot',
      note: expect.stringContaining('newest 1000'),
      returned: 3,
    });
    expect(godot.logs.map((log) => log.message)).toEqual(['h3', 'h2', 'h1']);
    // Then the caller's limit; start or end alone.
    for (const which of ['fixed', 'buggy'] as const) {
      const limited = await query(which, { ...window, limit: 2 });
      expect(limited.logs.map((log) => log.message)).toEqual(['h3', 'h2']);
      const from = await query(which, { start_time: hour(4) });
      expect(from.logs.map((log) => log.message)).toEqual(['h5', 'h4']);
      const until = await query(which, { end_time: hour(0) });
      expect(until.logs.map((log) => log.message)).toEqual(['h0']);
      expect(until.complete).toBeUndefined();
    }
  });

  it('reads a date alone as midnight UTC, and compares to the microsecond', async () => {
    await seed([
      { message: 'before midnight', created_at: '2026-11-19T23:59:59.999999Z' },
      { message: 'at midnight', created_at: '2026-11-20T00:00:00Z' },
      { message: 'just after', created_at: '2026-11-20T00:00:00.000400Z' },
    ]);
    for (const which of ['fixed', 'buggy'] as const) {
      const until = await query(which, { end_time: '2026-11-20' });
      expect(until.logs.map((log) => log.message)).toEqual(['at midnight', 'before midnight']);
      const from = await query(which, {
        start_time: '2026-11-20',
        end_time: '2026-11-20T00:00:00.000Z',
      });
      expect(from.logs.map((log) => log.message)).toEqual(['at midnight']);
    }
  });

  it('says complete:false when the 1000 rows fetched may not reach back to start_time', async () => {
    // 1000 newest rows one second apart from 10:00, and 5 older ones at 09:00.
    const base = Date.UTC(2026, 10, 20, 10);
    await seed([
      ...Array.from({ length: 5 }, (_, n) => ({
        message: `old ${n}`,
        created_at: new Date(Date.UTC(2026, 10, 20, 9) + n * 1000).toISOString(),
      })),
      ...Array.from({ length: GODOT_WINDOW_ROWS }, (_, n) => ({
        message: `new ${n}`,
        created_at: new Date(base + n * 1000).toISOString(),
      })),
    ]);
    const atNine = new Date(Date.UTC(2026, 10, 20, 9)).toISOString();
    const beforeTen = new Date(base - 1000).toISOString();
    // The old rows are in the window but older than the 1000 fetched: incomplete.
    const old = await query('buggy', { start_time: atNine, end_time: beforeTen });
    expect(old).toEqual({
      logs: [],
      source: 'dewey',
      time_filter: 'godot',
      complete: false,
      note: expect.stringContaining('newest 1000'),
      returned: 0,
    });
    const fixedOld = await query('fixed', { start_time: atNine, end_time: beforeTen });
    expect(fixedOld.logs).toHaveLength(5);
    expect(fixedOld.complete).toBeUndefined();
    // No start_time, and fewer rows than the limit before end_time: incomplete too.
    const until = await query('buggy', { end_time: new Date(base + 9_000).toISOString() });
    expect(until).toMatchObject({ time_filter: 'godot', complete: false });
    expect(until.logs).toHaveLength(10);
    // The limit filled from the fetched rows: nothing older would be returned anyway.
    const newest = await query('buggy', { start_time: atNine, limit: 50 });
    expect(newest).toMatchObject({ source: 'dewey', time_filter: 'godot', returned: 50 });
    expect(newest.complete).toBeUndefined();
    expect(newest.logs[0]?.message).toBe(`new ${GODOT_WINDOW_ROWS - 1}`);
    // start_time after the oldest row fetched: every row of the window was fetched.
    const recent = await query('buggy', { start_time: new Date(base + 500_000).toISOString() });
    expect(recent).toMatchObject({ source: 'dewey', time_filter: 'godot' });
    expect(recent.complete).toBeUndefined();
    expect(recent.logs).toHaveLength(100);
  });

  it('passes any other Dewey error on, without asking again', async () => {
    buggy.rejectNext(1, { code: -32603, message: 'Internal error: connection pool closed' });
    const before = buggy.calls.query;
    const text = errorText(
      await clients.buggy.callTool({ name: 'logger_query', arguments: { start_time: hour(1) } }),
    );
    expect(text).toBe(
      'Dewey rejected logger_query (-32603): Internal error: connection pool closed',
    );
    expect(buggy.calls.query - before).toBe(1);
  });
});

describe('isoMicros', () => {
  it('reads Dewey and client times alike: offsets, no offset = UTC, microseconds, dates', () => {
    const at = Date.UTC(2026, 10, 24, 3, 35, 1) * 1000;
    expect(isoMicros('2026-11-24T03:35:01.134382+00:00')).toBe(at + 134_382);
    expect(isoMicros('2026-11-24T03:35:01.134Z')).toBe(at + 134_000);
    expect(isoMicros('2026-11-24T03:35:01')).toBe(at);
    expect(isoMicros('2026-11-24T05:35:01+02:00')).toBe(at);
    expect(isoMicros('2026-11-24')).toBe(Date.UTC(2026, 10, 24) * 1000);
    expect(isoMicros('yesterday')).toBeNaN();
  });
});
