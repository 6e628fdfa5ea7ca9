import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createGodotLogger, type GodotLogger } from './godot-logger.js';
import type { GodotRefusal } from './godot-logger-options.js';

interface Call {
  id: number;
  message: string;
}

/** A real `ws` server on port 0 that answers each `logger_log` with `answer(call, nth)`. */
async function scriptedGodot(answer: (call: Call, nth: number) => Record<string, unknown>) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  const headers: IncomingHttpHeaders[] = [];
  const seen = new Map<string, number>();
  wss.on('connection', (ws, request) => {
    headers.push(request.headers);
    ws.on('message', (raw) => {
      const frame = JSON.parse(raw.toString());
      if (frame.method === 'initialize') {
        ws.send(JSON.stringify({ jsonrpc: '2.0', id: frame.id, result: {} }));
        return;
      }
      const message = frame.params.arguments.message as string;
      const nth = (seen.get(message) ?? 0) + 1;
      seen.set(message, nth);
      ws.send(
        JSON.stringify({ jsonrpc: '2.0', id: frame.id, ...answer({ id: frame.id, message }, nth) }),
      );
    });
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/`,
    headers,
    seen,
    close: () => new Promise((resolve) => wss.close(resolve)),
  };
}

const ok = { result: { structuredContent: { status: 'ok', queued: true, id: '1' }, content: [] } };
const toolError = { result: { isError: true, content: [{ type: 'text', text: 'no' }] } };

describe('LogPipeline replies', () => {
  let log: GodotLogger | undefined;
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    await log?.close();
    await close?.();
  });

  it('sends the token as a bearer header; retries -32005; refuses JSON-RPC errors at once and tool errors after 5 tries, pausing between', async () => {
    const godot = await scriptedGodot((call, nth) => {
      if (call.message === 'busy' && nth < 3) {
        return { error: { code: -32005, message: 'Too many requests in flight' } };
      }
      if (call.message === 'invalid') return { error: { code: -32602, message: 'bad params' } };
      if (call.message === 'tool error') return toolError;
      if (call.message === 'flaky' && nth === 1) return toolError;
      return ok;
    });
    close = godot.close;
    const refusals: GodotRefusal[] = [];
    log = createGodotLogger({
      url: godot.url,
      component: 'replies',
      token: 's3cret',
      onRefused: (refusal) => refusals.push(refusal),
    });
    for (const message of ['busy', 'invalid', 'tool error', 'flaky', 'fine']) log.info(message);
    expect(await log.flush(5_000)).toBe(true);
    expect(godot.headers[0]?.authorization).toBe('Bearer s3cret');
    expect(Object.fromEntries(godot.seen)).toEqual({
      busy: 3,
      invalid: 1,
      'tool error': 5,
      flaky: 2,
      fine: 1,
    });
    expect(log.stats()).toMatchObject({ acked: 3, refused: 2, dropped: 0, sent: 12 });
    expect(refusals.map((r) => [r.message, r.reason, r.code])).toEqual([
      ['invalid', 'bad params', -32602],
      ['tool error', 'no', undefined],
    ]);
  });

  it('refuses at once a tool error Godot marks not retryable, and retries one it marks retryable', async () => {
    const because = (reason: string, retryable: boolean) => ({
      result: {
        isError: true,
        content: [{ type: 'text', text: reason }],
        _meta: { 'godot/error': { reason, retryable } },
      },
    });
    const godot = await scriptedGodot((call, nth) => {
      if (call.message === 'bad') return because('invalid_input', false);
      if (call.message === 'huge') return because('entry_too_large', false);
      if (call.message === 'redis down' && nth < 3) return because('queue_unavailable', true);
      if (call.message === 'always down') return because('queue_unavailable', true);
      return ok;
    });
    close = godot.close;
    const refusals: GodotRefusal[] = [];
    log = createGodotLogger({
      url: godot.url,
      component: 'reasons',
      onRefused: (refusal) => refusals.push(refusal),
    });
    for (const message of ['bad', 'huge', 'redis down', 'always down', 'fine']) log.info(message);
    expect(await log.flush(5_000)).toBe(true);
    expect(Object.fromEntries(godot.seen)).toEqual({
      bad: 1,
      huge: 1,
      'redis down': 3,
      'always down': 5,
      fine: 1,
    });
    expect(log.stats()).toMatchObject({ acked: 2, refused: 3, retried: 6, dropped: 0, sent: 11 });
    expect(refusals.map((r) => [r.message, r.reasonCode, r.retryable, r.code])).toEqual([
      ['bad', 'invalid_input', false, undefined],
      ['huge', 'entry_too_large', false, undefined],
      ['always down', 'queue_unavailable', true, undefined],
    ]);
  });

  it('keeps at most maxInFlight calls unanswered', async () => {
    const godot = await scriptedGodot(() => ok);
    close = godot.close;
    log = createGodotLogger({ url: godot.url, component: 'window', maxInFlight: 8 });
    let peak = 0;
    for (let i = 0; i < 500; i += 1) log.info(`m ${i}`);
    const timer = setInterval(() => {
      peak = Math.max(peak, log?.stats().inFlight ?? 0);
    }, 0);
    expect(await log.flush(5_000)).toBe(true);
    clearInterval(timer);
    expect(peak).toBeLessThanOrEqual(8);
    expect(log.stats()).toMatchObject({ acked: 500, sent: 500 });
  });
});
