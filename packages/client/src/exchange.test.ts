import { describe, expect, it } from 'vitest';
import { exchangeError, type McpExchangeInput, startExchange } from './exchange.js';
import type { GodotLogInput } from './godot-logger.js';

/** Starts exchanges on a log function that keeps what it is given. */
function record() {
  const entries: GodotLogInput[] = [];
  let dropped = 0;
  const start = (input: McpExchangeInput) =>
    startExchange(
      (entry) => entries.push(entry),
      () => {
        dropped += 1;
      },
      input,
    );
  return { entries, start, dropped: () => dropped };
}

describe('startExchange', () => {
  it('logs the request, then one response with the same method and id', () => {
    const { entries, start } = record();
    const call = start({
      method: 'tools/call',
      id: 7,
      data: { tool: 'forecast', id: 'overridden' },
    });
    call.ok({ items: 3 });
    call.ok();
    call.error(new Error('too late'));
    expect(entries).toHaveLength(2);
    expect(entries[0]).toEqual({
      level: 'INFO',
      message: 'MCP request tools/call',
      data: { tool: 'forecast', method: 'tools/call', id: 7 },
      trace_id: undefined,
      component: undefined,
    });
    expect(entries[1]).toMatchObject({
      level: 'INFO',
      message: 'MCP response tools/call: ok',
      data: { method: 'tools/call', id: 7, result: { items: 3 } },
    });
    expect(entries[1]?.data?.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('logs `result: true` when no result is given, and an error at the error level', () => {
    const ok = record();
    ok.start({ method: 'ping', id: 'a', trace_id: 't', component: 'c' }).ok();
    expect(ok.entries[1]).toMatchObject({
      data: { method: 'ping', id: 'a', result: true },
      trace_id: 't',
      component: 'c',
    });
    const failed = record();
    failed
      .start({ method: 'tools/call', id: 1, errorLevel: 'ERROR' })
      .error({ code: -32001, message: 'geocoder timed out', data: { big: 'x'.repeat(10_000) } });
    expect(failed.entries[1]).toMatchObject({
      level: 'ERROR',
      message: 'MCP response tools/call: error',
      data: { method: 'tools/call', id: 1, error: { code: -32001, message: 'geocoder timed out' } },
    });
    expect(failed.entries[1]?.data).not.toHaveProperty('result');
  });

  it('counts as dropped a response whose error cannot be read, and throws nothing', () => {
    const { entries, dropped, start } = record();
    const call = start({ method: 'm', id: 1 });
    const hostile = {
      get code(): never {
        throw new Error('no');
      },
    };
    expect(() => call.error(hostile)).not.toThrow();
    expect(dropped()).toBe(1);
    // Not answered yet: a later response still goes out.
    call.ok();
    expect(entries.map((entry) => entry.message)).toEqual(['MCP request m', 'MCP response m: ok']);
  });
});

describe('exchangeError', () => {
  it('reads errors, JSON-RPC errors, strings and numbers', () => {
    const coded = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(exchangeError(coded)).toEqual({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    expect(exchangeError(new TypeError('bad'))).toEqual({ message: 'bad' });
    expect(exchangeError({ code: -32602, message: 'Invalid params' })).toEqual({
      code: -32602,
      message: 'Invalid params',
    });
    expect(exchangeError('timeout')).toEqual({ message: 'timeout' });
    expect(exchangeError(504)).toEqual({ code: 504 });
    expect(exchangeError(undefined)).toEqual({ message: 'undefined' });
    expect(exchangeError({ reason: 'x' })).toEqual({ message: '[object Object]' });
  });

  it('cuts a long message', () => {
    const { message } = exchangeError('é'.repeat(10_000));
    expect(message).toHaveLength(500);
    expect(message?.endsWith('…')).toBe(true);
  });
});
