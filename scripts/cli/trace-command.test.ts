import { describe, expect, it } from 'vitest';
import { CLI_MAX_BYTES, type GodotSession, type ToolResult } from './godot-session.js';
import type { ReadEntry, TraceReply } from './read-replies.js';
import { MAX_TRACE_PAGES, readTrace } from './trace-command.js';

const TRACE = '0b9c5a0e-8a52-4a9e-9f43-3c1f3c7a1d11';

const entry = (message: string): ReadEntry => ({
  component: 'svc',
  level: 'INFO',
  message,
  trace_id: TRACE,
  data: null,
  created_at: '2026-01-02T03:04:05.678Z',
});

/** A page of `logger_trace`: the whole trace's timeline, some of its entries. */
const page = (messages: string[], more?: string): ToolResult => {
  const reply: TraceReply = {
    logs: messages.map(entry),
    trace_id: TRACE,
    count: 5,
    start: '2026-01-02T03:04:05.678Z',
    end: '2026-01-02T03:04:05.678Z',
    duration_ms: 0,
    components: [],
    gaps: [],
    exchanges: [],
    errors: 0,
    returned: messages.length,
    ...(more === undefined ? {} : { truncated: true, next_cursor: more }),
  };
  return { structuredContent: reply };
};

/** A session that answers each call with the next of `pages`, and records the calls. */
function session(pages: (() => ToolResult)[]) {
  const calls: Record<string, unknown>[] = [];
  const fake: GodotSession = {
    call: async (name, args) => {
      expect(name).toBe('logger_trace');
      calls.push(args);
      const next = pages.shift();
      if (next === undefined) throw new Error('no more pages scripted');
      return next();
    },
    close: async () => undefined,
  };
  return { fake, calls };
}

describe('readTrace', () => {
  it('reads every page, and gives one reply with all the entries', async () => {
    const { fake, calls } = session([
      () => page(['a', 'b'], 'o1.2'),
      () => page(['c', 'd'], 'o1.4'),
      () => page(['e']),
    ]);
    const read = await readTrace(fake, TRACE);
    expect(calls).toEqual([
      { trace_id: TRACE, max_bytes: CLI_MAX_BYTES },
      { trace_id: TRACE, max_bytes: CLI_MAX_BYTES, cursor: 'o1.2' },
      { trace_id: TRACE, max_bytes: CLI_MAX_BYTES, cursor: 'o1.4' },
    ]);
    if (!('reply' in read)) throw new Error('expected a reply');
    expect(read.reply.logs?.map((one) => one.message)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(read.reply.returned).toBe(5);
    expect(read.reply).not.toHaveProperty('truncated');
    expect(read.reply).not.toHaveProperty('next_cursor');
  });

  it('returns a tool error as the failure', async () => {
    const { fake } = session([
      () => ({
        content: [{ type: 'text', text: 'must be a UUID at trace_id' }],
        isError: true,
        _meta: { 'godot/error': { reason: 'invalid_input', retryable: false } },
      }),
    ]);
    expect(await readTrace(fake, 'nope')).toEqual({
      failure: { text: 'must be a UUID at trace_id', reason: 'invalid_input', retryable: false },
    });
  });

  it('stops after MAX_TRACE_PAGES, keeping the cursor that would continue', async () => {
    const pages = Array.from(
      { length: MAX_TRACE_PAGES },
      (_, i) => () => page([`p${i}`], `o1.${i + 1}`),
    );
    const { fake, calls } = session(pages);
    const read = await readTrace(fake, TRACE);
    expect(calls).toHaveLength(MAX_TRACE_PAGES);
    if (!('reply' in read)) throw new Error('expected a reply');
    expect(read.reply.logs).toHaveLength(MAX_TRACE_PAGES);
    expect(read.reply.next_cursor).toBe(`o1.${MAX_TRACE_PAGES}`);
  });
});
