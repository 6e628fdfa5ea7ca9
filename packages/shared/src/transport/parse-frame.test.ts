import { errorReply } from '@godot/wire';
import { describe, expect, it } from 'vitest';
import { binaryFrameReply, type ParsedFrame, parseFrame } from './parse-frame.js';
import { InvalidFrameError } from './transport-errors.js';

function rejected(frame: ParsedFrame) {
  if (frame.kind !== 'error') throw new Error(`expected an error, got ${JSON.stringify(frame)}`);
  return frame;
}

describe('binaryFrameReply', () => {
  it('has a fixed reply for binary frames', () => {
    expect(JSON.stringify(binaryFrameReply())).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error: binary frames are not supported"},"id":null}',
    );
  });
});

describe('parseFrame', () => {
  it('accepts requests, notifications, results and errors', () => {
    const frames = [
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x', arguments: {} } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 'a', result: {} },
      { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'nope' } },
    ];
    for (const frame of frames) {
      expect(parseFrame(JSON.stringify(frame))).toEqual({ kind: 'message', message: frame });
    }
  });

  it('answers text that is not JSON with -32700 and id null', () => {
    const result = rejected(parseFrame('{"jsonrpc":'));
    expect(result.reply).toEqual(errorReply(-32700, 'Parse error', null));
    expect(result.error).toBeInstanceOf(InvalidFrameError);
    expect(result.error.code).toBe('INVALID_FRAME');
    expect(result.error.cause).toBeInstanceOf(SyntaxError);
  });

  it('refuses a batch with -32600 and id null', () => {
    const result = rejected(parseFrame('[{"jsonrpc":"2.0","id":1,"method":"ping"}]'));
    expect(result.reply).toEqual(
      errorReply(-32600, 'Invalid Request: batches are not supported', null),
    );
    expect(result.error.value).toEqual([{ jsonrpc: '2.0', id: 1, method: 'ping' }]);
  });

  it('answers a schema failure with -32600 and the id when it can be read', () => {
    expect(rejected(parseFrame('{"jsonrpc":"2.0","id":7,"method":5}')).reply).toEqual(
      errorReply(-32600, 'Invalid Request', 7),
    );
    expect(rejected(parseFrame('{"jsonrpc":"1.0","id":"x","method":"a"}')).reply?.id).toBe('x');
    expect(rejected(parseFrame('{"id":1.5,"method":"a"}')).reply?.id).toBeNull();
    expect(rejected(parseFrame('42')).reply).toEqual(errorReply(-32600, 'Invalid Request', null));
    expect(rejected(parseFrame('null')).reply?.id).toBeNull();
  });

  it('reports but never answers an invalid response, such as Dewey`s id:null error', () => {
    const dewey =
      '{"jsonrpc":"2.0","error":{"code":-32601,"message":"Method not found: notifications/initialized"},"id":null}';
    const result = rejected(parseFrame(dewey));
    expect(result.reply).toBeNull();
    expect(result.error.message).toContain('Method not found: notifications/initialized');
    expect(result.error.value).toEqual(JSON.parse(dewey));
  });

  it('quotes at most a preview of a huge bad frame', () => {
    const result = rejected(parseFrame(`x${'y'.repeat(10_000)}`));
    expect(result.error.message.length).toBeLessThan(300);
    expect(result.error.message).toContain('10001 chars');
  });
});
