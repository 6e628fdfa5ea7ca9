import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { isJsonRpcMessage } from './json-rpc-message.js';

const meta = { progressToken: 'p', 'io.modelcontextprotocol/related-task': { taskId: 't' } };

/** Messages the SDK's schema accepts, in the shapes clients and Dewey send. */
const valid: unknown[] = [
  { jsonrpc: '2.0', id: 1, method: 'ping' },
  { jsonrpc: '2.0', id: 'a', method: 'tools/call', params: { name: 'x', arguments: { a: 1 } } },
  { jsonrpc: '2.0', id: -3, method: 'tools/list', params: { _meta: meta } },
  { jsonrpc: '2.0', id: 0, method: 'x', params: { _meta: { progressToken: 7 } } },
  { jsonrpc: '2.0', method: 'notifications/initialized' },
  { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
  { jsonrpc: '2.0', id: 2, result: {} },
  { jsonrpc: '2.0', id: 'b', result: { content: [], _meta: { progressToken: 'q' } } },
  { jsonrpc: '2.0', id: 3, error: { code: -32601, message: 'Method not found' } },
  { jsonrpc: '2.0', error: { code: -32700, message: 'Parse error', data: { at: 1 } } },
];

/** Near misses: each breaks one rule of the schema. */
const invalid: unknown[] = [
  null,
  42,
  'x',
  [],
  {},
  { jsonrpc: '1.0', id: 1, method: 'ping' },
  { id: 1, method: 'ping' },
  { jsonrpc: '2.0', id: 1.5, method: 'ping' },
  { jsonrpc: '2.0', id: 2 ** 53, method: 'ping' },
  { jsonrpc: '2.0', id: null, method: 'ping' },
  { jsonrpc: '2.0', id: {}, method: 'ping' },
  { jsonrpc: '2.0', id: 1, method: 5 },
  { jsonrpc: '2.0', id: 1, method: 'ping', extra: true },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: null },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: [1] },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: 'x' },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: 'x' } },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: null } },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: { progressToken: 1.5 } } },
  { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: { progressToken: {} } } },
  {
    jsonrpc: '2.0',
    id: 1,
    method: 'ping',
    params: { _meta: { 'io.modelcontextprotocol/related-task': { taskId: 1 } } },
  },
  { jsonrpc: '2.0', method: 'notifications/x', params: [1] },
  { jsonrpc: '2.0', method: 'notifications/x', result: {} },
  { jsonrpc: '2.0', id: 1, result: 5 },
  { jsonrpc: '2.0', id: 1, result: null },
  { jsonrpc: '2.0', result: {} },
  { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'x' } },
  { jsonrpc: '2.0', id: null, error: { code: -32601, message: 'x' } },
  { jsonrpc: '2.0', id: 1, error: { code: 1.5, message: 'x' } },
  { jsonrpc: '2.0', id: 1, error: { code: 1 } },
  { jsonrpc: '2.0', id: 1, error: 'x' },
  { jsonrpc: '2.0', id: 1, method: 'ping', result: {} },
];

describe('isJsonRpcMessage', () => {
  it('accepts the common shapes, as the SDK schema does', () => {
    for (const message of valid) {
      expect(JSONRPCMessageSchema.safeParse(message).success, JSON.stringify(message)).toBe(true);
      expect(isJsonRpcMessage(message), JSON.stringify(message)).toBe(true);
    }
  });

  it('never accepts what the SDK schema refuses', () => {
    for (const message of invalid) {
      expect(JSONRPCMessageSchema.safeParse(message).success, JSON.stringify(message)).toBe(false);
      expect(isJsonRpcMessage(message), JSON.stringify(message)).toBe(false);
    }
  });
});
