import { ConnectFailedError } from '@godot/shared';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { CLI_MAX_BYTES, type GodotSession, type ToolResult } from './godot-session.js';
import type { ReadEntry } from './read-replies.js';
import { missedNotice, runTail, type TailCommandOptions } from './tail-command.js';

/**
 * The loop of `runTail` against scripted sessions: what each call sends, what
 * is printed, and how a lost connection or a tool error is ridden out. The
 * same against a real stack and a real server restart: test/dev/godot-read-cli.test.ts.
 */

const entry = (message: string): ReadEntry => ({
  component: 'svc',
  level: 'INFO',
  message,
  trace_id: null,
  data: null,
  created_at: '2026-01-02T03:04:05.678Z',
});

const reply = (cursor: string, messages: string[], extra: Record<string, unknown> = {}) => ({
  structuredContent: { logs: messages.map(entry), cursor, ...extra },
});

const toolError = (text: string, reason: string, retryable: boolean): ToolResult => ({
  content: [{ type: 'text', text }],
  isError: true,
  _meta: { 'godot/error': { reason, retryable } },
});

/** What a scripted call does: answer, or throw. */
type Step = ToolResult | Error;

/**
 * Runs `runTail` with sessions that play `script` in order across
 * reconnections (`connects` scripts each reconnect: a session, or an error).
 * When the script is done, the next call aborts, as Ctrl-C would.
 */
async function play(
  script: Step[],
  options: Partial<TailCommandOptions> = {},
  connects: ('ok' | Error)[] = [],
) {
  const stop = new AbortController();
  const calls: Record<string, unknown>[] = [];
  const out: string[] = [];
  const notices: string[] = [];
  let opened = 0;
  let closed = 0;
  const session = (): GodotSession => {
    opened++;
    return {
      call: async (name, args) => {
        expect(name).toBe('logger_tail');
        calls.push(args);
        const step = script.shift();
        if (step === undefined) {
          stop.abort();
          throw new McpError(ErrorCode.ConnectionClosed, 'aborted');
        }
        if (step instanceof Error) throw step;
        return step;
      },
      close: async () => {
        closed++;
      },
    };
  };
  const code = await runTail({
    session: session(),
    reconnect: async () => {
      const next = connects.shift() ?? 'ok';
      if (next instanceof Error) throw next;
      return session();
    },
    filters: {},
    follow: true,
    json: false,
    color: false,
    out: (line) => out.push(line),
    notice: (line) => notices.push(line),
    signal: stop.signal,
    backoff: { initialDelayMs: 1, maxDelayMs: 2 },
    ...options,
  });
  return { code, calls, out, notices, opened, closed };
}

describe('runTail', () => {
  it('without follow: one call that does not wait, from since, with the filters', async () => {
    const run = await play([reply('c1', ['a', 'b'])], {
      follow: false,
      since: '10m',
      limit: 5,
      filters: { component: 'svc', level: 'WARN' },
    });
    expect(run.code).toBe(0);
    expect(run.calls).toEqual([
      {
        since: '10m',
        wait_ms: 0,
        limit: 5,
        max_bytes: CLI_MAX_BYTES,
        component: 'svc',
        level: 'WARN',
      },
    ]);
    expect(run.out.map((line) => line.split(' ').at(-1))).toEqual(['a', 'b']);
    expect(run.notices).toEqual([]);
    expect(run.closed).toBe(1);
  });

  it('without follow: says when the page was full or cut, since later entries were not printed', async () => {
    const full = await play([reply('c1', ['a', 'b'])], { follow: false, since: '10m', limit: 2 });
    expect(full.notices).toEqual([
      'godot: printed the first 2 entries (since 10m); more follow: raise --limit (up to 1000), give a later --since, or follow with -f',
    ]);
    const cut = await play([reply('c1', ['a'], { truncated: true })], { follow: false, limit: 9 });
    expect(cut.notices).toEqual([expect.stringContaining('printed the first 1 entry;')]);
  });

  it('follows from each cursor, the first call not waiting, and stops with 0 on abort', async () => {
    const run = await play([reply('c1', []), reply('c2', ['a']), reply('c3', ['b', 'c'])], {
      waitMs: 500,
    });
    expect(run.code).toBe(0);
    expect(run.calls.map(({ max_bytes: _, ...call }) => call)).toEqual([
      { wait_ms: 0 },
      { cursor: 'c1', wait_ms: 500 },
      { cursor: 'c2', wait_ms: 500 },
      { cursor: 'c3', wait_ms: 500 },
    ]);
    expect(run.out.map((line) => line.split(' ').at(-1))).toEqual(['a', 'b', 'c']);
    expect(run.closed).toBe(run.opened);
  });

  it('rides out a lost connection: one notice, new connections with backoff, the same cursor', async () => {
    const lost = new McpError(ErrorCode.ConnectionClosed, 'Connection closed');
    const refused = new ConnectFailedError('ws://127.0.0.1:1', new Error('connect ECONNREFUSED'));
    const run = await play([reply('c1', ['a']), lost, reply('c2', ['b']), reply('c3', ['c'])], {}, [
      refused,
      refused,
      'ok',
    ]);
    expect(run.code).toBe(0);
    expect(run.calls.map((call) => call.cursor)).toEqual([undefined, 'c1', 'c1', 'c2', 'c3']);
    expect(run.out.map((line) => line.split(' ').at(-1))).toEqual(['a', 'b', 'c']);
    expect(run.notices).toEqual([
      'godot: connection lost (MCP error -32000: Connection closed), retrying…',
      'godot: reconnected',
    ]);
    expect(run.opened).toBe(2);
    expect(run.closed).toBe(2);
  });

  it('sends since again after a loss only while no cursor pinned the start', async () => {
    const lost = new McpError(ErrorCode.ConnectionClosed, 'Connection closed');
    const run = await play([lost, reply('c1', ['a']), lost, reply('c2', [])], { since: '1h' });
    expect(run.calls.slice(0, 4).map(({ max_bytes: _, ...call }) => call)).toEqual([
      { since: '1h', wait_ms: 0 },
      { since: '1h', wait_ms: 0 },
      { cursor: 'c1', wait_ms: 10_000 },
      { cursor: 'c1', wait_ms: 10_000 },
    ]);
  });

  it('retries a retryable tool error on the same connection, and says so once each way', async () => {
    const busy = toolError(
      'this server already has 64 logger_tail calls waiting',
      'tails_busy',
      true,
    );
    const run = await play([reply('c1', []), busy, busy, reply('c2', ['a'])]);
    expect(run.calls.map((call) => call.cursor)).toEqual([undefined, 'c1', 'c1', 'c1', 'c2']);
    expect(run.notices).toEqual([
      'godot: this server already has 64 logger_tail calls waiting; retrying…',
      'godot: resumed',
    ]);
    expect(run.opened).toBe(1);
  });

  it('ends with 1 on a tool error that is not retryable, printed without controls', async () => {
    const refused = toolError('must be a UUID\u001b[2J at trace_id', 'invalid_input', false);
    const run = await play([reply('c1', []), refused]);
    expect(run.code).toBe(1);
    expect(run.notices).toEqual(['error: must be a UUID at trace_id']);
    expect(run.closed).toBe(1);
  });

  it('says how many entries aged out before they were read', async () => {
    const run = await play([reply('c1', []), reply('c2', ['a'], { missed: 12 })]);
    expect(run.notices).toEqual([missedNotice(12)]);
    expect(missedNotice(12)).toBe(
      'godot: 12 entries aged out of the recent window before they were read',
    );
    expect(missedNotice(true)).toContain('how many is unknown');
  });

  it('--json: one JSON object per entry, as the server sent it', async () => {
    const run = await play([reply('c1', ['a\u001b[2J', 'b'])], { json: true, follow: false });
    expect(run.out.map((line) => JSON.parse(line))).toEqual([entry('a\u001b[2J'), entry('b')]);
  });

  it('a failure that is no connection loss is thrown, even while following', async () => {
    const bug = new McpError(ErrorCode.InvalidParams, 'bad params');
    await expect(play([bug])).rejects.toBe(bug);
  });
});
