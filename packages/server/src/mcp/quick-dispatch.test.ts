import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  isJSONRPCNotification,
  isJSONRPCRequest,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { dispatchByKeys, messageKind } from './quick-dispatch.js';

const request = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } };
const notification = { jsonrpc: '2.0', method: 'notifications/initialized' };

/** Messages of every shape, and what `messageKind` says of each. */
const CASES: [string, unknown, 'request' | 'notification' | undefined][] = [
  ['request', request, 'request'],
  ['request with a string id', { ...request, id: 'a-1' }, 'request'],
  ['request without params', { jsonrpc: '2.0', id: 0, method: 'ping' }, 'request'],
  ['request with empty params', { ...request, params: {} }, 'request'],
  ['notification', notification, 'notification'],
  [
    'cancellation',
    { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } },
    'notification',
  ],
  // Left to the SDK's schemas: they decide, and say why.
  [
    'request with _meta',
    { ...request, params: { name: 'x', _meta: { progressToken: 1 } } },
    undefined,
  ],
  ['request with a bad _meta', { ...request, params: { _meta: { progressToken: {} } } }, undefined],
  ['fractional id', { ...request, id: 1.5 }, undefined],
  ['unsafe integer id', { ...request, id: 2 ** 60 }, undefined],
  ['null id', { ...request, id: null }, undefined],
  ['object id', { ...request, id: {} }, undefined],
  ['extra key', { ...request, extra: 1 }, undefined],
  ['extra key on a notification', { ...notification, result: {} }, undefined],
  ['JSON-RPC 1.0', { ...request, jsonrpc: '1.0' }, undefined],
  ['no jsonrpc', { id: 1, method: 'ping' }, undefined],
  ['numeric method', { ...request, method: 7 }, undefined],
  ['array params', { ...request, params: [1] }, undefined],
  ['null params', { ...request, params: null }, undefined],
  ['string params', { ...request, params: 'x' }, undefined],
  ['result response', { jsonrpc: '2.0', id: 1, result: {} }, undefined],
  ['error response', { jsonrpc: '2.0', id: 1, error: { code: 1, message: 'm' } }, undefined],
  ['__proto__ key', JSON.parse('{"jsonrpc":"2.0","id":1,"method":"m","__proto__":{}}'), undefined],
  ['array', [request], undefined],
  ['null', null, undefined],
  ['string', 'ping', undefined],
];

describe('messageKind', () => {
  it.each(CASES)('%s', (_name, message, kind) => {
    expect(messageKind(message)).toBe(kind);
  });

  it("never calls a message a request or a notification that the SDK's schema refuses", () => {
    for (const [name, message] of CASES) {
      const kind = messageKind(message);
      if (kind === 'request') expect(isJSONRPCRequest(message), name).toBe(true);
      if (kind === 'notification') expect(isJSONRPCNotification(message), name).toBe(true);
    }
  });
});

/** A server with `dispatchByKeys` (or without), and a client end to talk to it raw. */
async function connected(quick: boolean) {
  const server = new Server({ name: 't', version: '0' }, { capabilities: { tools: {} } });
  const seen: string[] = [];
  let handled = 0;
  server.fallbackRequestHandler = async (message) => {
    handled += 1;
    if (message.method === 'slow') await new Promise((resolve) => setTimeout(resolve, 50));
    return { echo: message.method };
  };
  server.oninitialized = () => seen.push('initialized');
  const errors: string[] = [];
  server.onerror = (error) => errors.push(error.message);
  const [client, end] = InMemoryTransport.createLinkedPair();
  const previous: unknown[] = [];
  end.onmessage = (message) => previous.push(message);
  const replies: JSONRPCMessage[] = [];
  client.onmessage = (message) => replies.push(message);
  await server.connect(end);
  const sdk = end.onmessage;
  if (quick) dispatchByKeys(server, end, (message) => previous.push(message));
  await client.start();
  return { server, client, end, sdk, replies, previous, seen, errors, handled: () => handled };
}

describe('dispatchByKeys', () => {
  it('replaces the onmessage the SDK installed (this SDK still has what it relies on)', async () => {
    const { end, sdk } = await connected(true);
    expect(end.onmessage).toBeDefined();
    expect(end.onmessage).not.toBe(sdk);
  });

  it('answers, notifies, cancels and reports exactly as the SDK alone does', async () => {
    const outcome = async (quick: boolean) => {
      const c = await connected(quick);
      const messages = [
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'c', version: '1' },
          },
        },
        notification,
        { jsonrpc: '2.0', id: 2, method: 'ping' },
        { jsonrpc: '2.0', id: 3, method: 'tools/list', params: { _meta: { progressToken: 'p' } } },
        { jsonrpc: '2.0', id: 'slow-1', method: 'slow' },
        { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'slow-1' } },
        { jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'x', task: 'soon' } },
        { jsonrpc: '2.0', id: 5.5, method: 'ping' },
        { jsonrpc: '2.0', id: 9, result: {} },
      ] as JSONRPCMessage[];
      for (const message of messages) await c.client.send(message);
      // The server asks the client something; the client's answer is a response.
      const pinged = c.server.ping();
      await expect.poll(() => c.replies.some((reply) => 'method' in reply)).toBe(true);
      const ping = c.replies.find((reply) => 'method' in reply) as { id: number };
      await c.client.send({ jsonrpc: '2.0', id: ping.id, result: {} });
      await pinged;
      await new Promise((resolve) => setTimeout(resolve, 100));
      await c.client.close();
      return {
        replies: c.replies,
        seen: c.seen,
        errors: c.errors,
        handled: c.handled(),
        previous: c.previous.length,
      };
    };
    const sdk = await outcome(false);
    const quick = await outcome(true);
    expect(quick).toEqual(sdk);
    // The cancelled request was not answered; every message reached `previous`.
    expect(sdk.replies.map((reply) => 'id' in reply && reply.id)).not.toContain('slow-1');
    expect(sdk.previous).toBe(10);
    expect(sdk.seen).toEqual(['initialized']);
  });
});
