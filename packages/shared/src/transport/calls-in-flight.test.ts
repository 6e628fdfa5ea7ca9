import { describe, expect, it } from 'vitest';
import { answeredId, CallsInFlight, callsInFlightMessage, cancelledId } from './calls-in-flight.js';

describe('CallsInFlight', () => {
  it('takes slots up to max, refuses the next, and frees them as replies go out', () => {
    const calls = new CallsInFlight(2);
    expect(calls.start(1)).toBe(true);
    expect(calls.start('b')).toBe(true);
    expect(calls.start(3)).toBe(false);
    expect(calls.size).toBe(2);
    expect(calls.has(3)).toBe(false);
    calls.end(1);
    expect(calls.size).toBe(1);
    expect(calls.start(3)).toBe(true);
  });

  it('counts a reused id once per call, and ignores replies to ids not in flight', () => {
    const calls = new CallsInFlight(3);
    expect(calls.start(1)).toBe(true);
    expect(calls.start(1)).toBe(true);
    calls.end(99);
    calls.end('1');
    expect(calls.size).toBe(2);
    calls.end(1);
    expect(calls.has(1)).toBe(true);
    calls.end(1);
    expect(calls.has(1)).toBe(false);
    calls.end(1);
    expect(calls.size).toBe(0);
  });

  it('refuses a max below 1', () => {
    expect(() => new CallsInFlight(0)).toThrow(RangeError);
    expect(() => new CallsInFlight(Number.NaN)).toThrow(RangeError);
  });

  it('says what happened, which setting, and what to do', () => {
    expect(callsInFlightMessage(3)).toBe(
      'too many calls in flight on this connection (MAX_CALLS_IN_FLIGHT=3): wait for replies',
    );
  });
});

describe('answeredId and cancelledId', () => {
  it('read the id a response answers, and the request a cancellation names', () => {
    expect(answeredId({ jsonrpc: '2.0', id: 7, result: {} })).toBe(7);
    expect(answeredId({ jsonrpc: '2.0', id: 'x', error: { code: 1, message: 'm' } })).toBe('x');
    expect(answeredId({ jsonrpc: '2.0', id: 7, method: 'ping' })).toBeUndefined();
    expect(answeredId({ jsonrpc: '2.0', method: 'notifications/x' })).toBeUndefined();
    const cancel = (params: Record<string, unknown>) => ({
      jsonrpc: '2.0' as const,
      method: 'notifications/cancelled',
      params,
    });
    expect(cancelledId(cancel({ requestId: 4, reason: 'timeout' }))).toBe(4);
    expect(cancelledId(cancel({ requestId: { no: 1 } }))).toBeUndefined();
    expect(cancelledId({ jsonrpc: '2.0', method: 'notifications/progress', params: {} })).toBe(
      undefined,
    );
  });
});
