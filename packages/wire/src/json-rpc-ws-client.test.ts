import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { decodeText, resultReply } from './json-rpc-frames.js';
import { JsonRpcWsClient } from './json-rpc-ws-client.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A `ws` server on port 0 whose connections `onConnection` drives. */
async function startServer(onConnection: (socket: WebSocket) => void): Promise<string> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  server.on('connection', onConnection);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as { port: number };
  return `ws://127.0.0.1:${port}`;
}

describe('JsonRpcWsClient', () => {
  it('matches replies to requests by id, in whatever order they come', async () => {
    const url = await startServer((socket) => {
      const held: Array<{ id: number; method: string }> = [];
      socket.on('message', (data) => {
        held.push(JSON.parse(decodeText(data)));
        // Answer the pair in reverse order.
        if (held.length === 2) {
          for (const request of held.reverse()) {
            socket.send(JSON.stringify(resultReply({ method: request.method }, request.id)));
          }
        }
      });
    });
    const client = await JsonRpcWsClient.connect(url);
    cleanups.push(() => client.close().then(() => undefined));
    const [first, second] = await Promise.all([client.request('a'), client.request('b')]);
    expect(first).toMatchObject({ kind: 'reply', reply: { id: 1, result: { method: 'a' } } });
    expect(second).toMatchObject({ kind: 'reply', reply: { id: 2, result: { method: 'b' } } });
    expect(client.inFlight).toBe(0);
  });

  it('settles an unanswered request as timeout, and pending ones as closed when the socket goes', async () => {
    let peer: WebSocket | undefined;
    const url = await startServer((socket) => {
      peer = socket;
    });
    const client = await JsonRpcWsClient.connect(url, { requestTimeoutMs: 100 });
    expect(await client.request('never')).toEqual({ kind: 'timeout' });
    const pending = client.callTool('logger_log', {});
    peer?.terminate();
    expect(await pending).toEqual({ kind: 'closed' });
    expect(client.open).toBe(false);
    expect(await client.request('after')).toEqual({ kind: 'closed' });
  });

  it('gives up a handshake the server never answers within connectTimeoutMs', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          silent.close(() => resolve());
        }),
    );
    const { port } = silent.address() as { port: number };
    const started = performance.now();
    await expect(
      JsonRpcWsClient.connect(`ws://127.0.0.1:${port}`, { connectTimeoutMs: 200 }),
    ).rejects.toThrow('did not finish within 200 ms');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
