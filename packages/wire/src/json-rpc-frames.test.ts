import { describe, expect, it } from 'vitest';
import {
  decodeText,
  errorReply,
  isErrorReply,
  isJsonRpcReply,
  jsonRpcRequest,
  parseReply,
  readId,
  resultReply,
} from './json-rpc-frames.js';

describe('errorReply', () => {
  it('builds a JSON-RPC error response, id null by default', () => {
    expect(errorReply(-32700, 'Parse error')).toEqual({
      jsonrpc: '2.0',
      error: { code: -32700, message: 'Parse error' },
      id: null,
    });
    expect(errorReply(-32600, 'Invalid Request', 'abc').id).toBe('abc');
  });

  it('writes its keys in the order Dewey does', () => {
    expect(JSON.stringify(errorReply(-32000, 'no', 3))).toBe(
      '{"jsonrpc":"2.0","error":{"code":-32000,"message":"no"},"id":3}',
    );
    expect(JSON.stringify(resultReply({ a: 1 }, 'x'))).toBe(
      '{"jsonrpc":"2.0","result":{"a":1},"id":"x"}',
    );
  });
});

describe('jsonRpcRequest', () => {
  it('leaves params out when there are none', () => {
    expect(JSON.stringify(jsonRpcRequest(1, 'ping'))).toBe(
      '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    );
    expect(jsonRpcRequest('a', 'tools/list', {})).toEqual({
      jsonrpc: '2.0',
      id: 'a',
      method: 'tools/list',
      params: {},
    });
  });
});

describe('parseReply', () => {
  it('reads results and well-formed errors', () => {
    expect(parseReply('{"jsonrpc":"2.0","id":1,"result":{}}')).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: {},
    });
    const error = parseReply('{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"x"}}');
    expect(error && isErrorReply(error)).toBe(true);
  });

  it.each([
    'not json',
    '[{"id":1}]',
    '42',
    'null',
    '{"id":1,"error":"x"}',
    '{"id":1,"error":{"code":"-1","message":"x"}}',
    '{"id":1,"error":{"code":-1}}',
  ])('refuses %s', (text) => {
    expect(parseReply(text)).toBeUndefined();
  });

  it('isJsonRpcReply accepts any object without an error member', () => {
    expect(isJsonRpcReply({})).toBe(true);
    expect(isJsonRpcReply({ id: 1, error: undefined })).toBe(true);
  });
});

describe('readId', () => {
  it('reads string and integer ids only', () => {
    expect(readId({ id: 'a' })).toBe('a');
    expect(readId({ id: 3 })).toBe(3);
    expect(readId({ id: null })).toBeNull();
    expect(readId({ id: {} })).toBeNull();
    expect(readId('id')).toBeNull();
  });
});

describe('decodeText', () => {
  it('decodes every shape ws may deliver', () => {
    expect(decodeText(Buffer.from('héllo'))).toBe('héllo');
    expect(decodeText([Buffer.from('hé'), Buffer.from('llo')])).toBe('héllo');
    expect(decodeText(new TextEncoder().encode('héllo').buffer as ArrayBuffer)).toBe('héllo');
  });
});
