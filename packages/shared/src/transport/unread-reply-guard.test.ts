import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { PeerUnresponsiveError, UnreadRepliesLimitError } from './transport-errors.js';
import type { UnreadReplyLimits } from './unread-reply-guard.js';
import { WebSocketServerTransport } from './websocket-server-transport.js';

/** The server side of one connection whose every request is answered with `replyBytes` of text. */
interface Served {
  socket: WebSocket;
  transport: WebSocketServerTransport;
  requests: number;
  errors: Error[];
  /** When each error was reported (ms since the epoch). */
  errorAt: number[];
  closed: boolean;
  /** When the transport closed (ms since the epoch). */
  closedAt?: number;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real `ws` server on port 0 and one raw client connected to it. */
async function connect(
  unreadReplies: UnreadReplyLimits,
  replyBytes: number,
  pingIntervalMs?: number,
): Promise<{ client: WebSocket; served: Served; replies: () => number; code: Promise<number> }> {
  const http = createServer();
  const wss = new WebSocketServer({ server: http });
  const accepted = new Promise<Served>((resolve) => {
    wss.on('connection', (socket) => {
      const transport = new WebSocketServerTransport(socket, { unreadReplies, pingIntervalMs });
      const served: Served = {
        socket,
        transport,
        requests: 0,
        errors: [],
        errorAt: [],
        closed: false,
      };
      transport.onerror = (error) => {
        served.errors.push(error);
        served.errorAt.push(Date.now());
      };
      transport.onclose = () => {
        served.closed = true;
        served.closedAt = Date.now();
      };
      transport.onmessage = (message: JSONRPCMessage) => {
        if (!('method' in message && 'id' in message)) return;
        served.requests += 1;
        void transport
          .send({ jsonrpc: '2.0', id: message.id, result: { text: 'r'.repeat(replyBytes) } })
          .catch(() => {});
      };
      void transport.start();
      resolve(served);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}/`);
  client.on('error', () => {});
  let replies = 0;
  client.on('message', () => {
    replies += 1;
  });
  const code = new Promise<number>((resolve) => client.once('close', resolve));
  await new Promise((resolve) => client.once('open', resolve));
  cleanups.push(async () => {
    client.terminate();
    for (const socket of wss.clients) socket.terminate();
    await new Promise((resolve) => wss.close(resolve));
    await new Promise((resolve) => http.close(resolve));
  });
  return { client, served: await accepted, replies: () => replies, code };
}

const request = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'tools/list' });

/** The guard's reports, as `closed` flags in order. */
const reports = (served: Served) =>
  served.errors.filter((e) => e instanceof UnreadRepliesLimitError).map((e) => e.closed);

const MiB = 1024 * 1024;

describe('UnreadReplyGuard on a WebSocketServerTransport', () => {
  it('stops reading a client that does not read, and resumes once it reads: nothing lost', async () => {
    // 300 replies of 64 KiB (19 MiB) cannot all sit in the kernel's socket buffers.
    const { client, served, replies, code } = await connect(
      { maxBytes: MiB, closeAboveBytes: 1024 * MiB },
      64 * 1024,
      100,
    );
    client.pause();
    for (let id = 0; id < 300; id += 1) client.send(request(id));
    await expect.poll(() => reports(served), { timeout: 5000 }).toEqual([false]);
    expect(served.socket.isPaused).toBe(true);
    expect(served.socket.bufferedAmount).toBeGreaterThan(MiB);
    // Frames sent now stay unread: in the kernel and the client, not here.
    const before = served.requests;
    for (let id = 300; id < 310; id += 1) client.send(request(id));
    await sleep(500);
    expect(served.requests).toBe(before);
    // Five ping intervals passed while paused; the peer is not taken for dead.
    expect(served.errors.some((e) => e instanceof PeerUnresponsiveError)).toBe(false);

    client.resume();
    await expect.poll(replies, { timeout: 10_000 }).toBe(310);
    expect(served.requests).toBe(310);
    expect(served.socket.isPaused).toBe(false);
    expect(served.closed).toBe(false);
    expect(reports(served).every((closed) => !closed)).toBe(true);
    client.close();
    expect(await code).toBe(1005);
  });

  it('closes a client that stays over the limit for stallTimeoutMs', async () => {
    const { client, served, code } = await connect(
      { maxBytes: 256 * 1024, stallTimeoutMs: 300, closeAboveBytes: 1024 * MiB },
      256 * 1024,
    );
    client.pause();
    for (let id = 0; id < 100; id += 1) client.send(request(id));
    await expect.poll(() => reports(served), { timeout: 5000 }).toEqual([false]);
    await expect.poll(() => served.closed, { timeout: 5000 }).toBe(true);
    // Timed from the guard's own report of the pause, not from when this
    // test noticed it (a poll late under load once made 300 ms look like 202).
    const pausedAt =
      served.errorAt[served.errors.findIndex((e) => e instanceof UnreadRepliesLimitError)];
    expect((served.closedAt ?? 0) - (pausedAt ?? Number.POSITIVE_INFINITY)).toBeGreaterThanOrEqual(
      295,
    );
    expect(reports(served)).toEqual([false, true]);
    const closing = served.errors.at(-1) as UnreadRepliesLimitError;
    expect(closing.message).toContain('not drained within 300 ms, closed');
    // The peer never answers the close frame: the socket is destroyed after
    // the grace period, and its unread replies with it.
    await expect.poll(() => served.socket.readyState, { timeout: 3000 }).toBe(WebSocket.CLOSED);
    expect(served.socket.bufferedAmount).toBeLessThan(8 * MiB);
    await expect(served.transport.send({ jsonrpc: '2.0', id: 1, result: {} })).rejects.toThrow(
      'not open',
    );
    client.resume();
    expect([1006, 1008]).toContain(await code);
  });

  it('closes at once a client whose unread replies pass closeAboveBytes', async () => {
    const { client, served, code } = await connect(
      { maxBytes: 256 * 1024, stallTimeoutMs: 60_000 },
      256 * 1024,
    );
    client.pause();
    for (let id = 0; id < 100; id += 1) client.send(request(id));
    await expect.poll(() => served.closed, { timeout: 5000 }).toBe(true);
    const closing = served.errors.at(-1) as UnreadRepliesLimitError;
    expect(closing).toBeInstanceOf(UnreadRepliesLimitError);
    expect(closing.closed).toBe(true);
    expect(closing.message).toContain('over 524288, closed');
    await expect.poll(() => served.socket.readyState, { timeout: 3000 }).toBe(WebSocket.CLOSED);
    client.resume();
    expect([1006, 1008]).toContain(await code);
  });

  it('refuses limits that cannot work', async () => {
    const { socket } = (await connect({ maxBytes: MiB }, 1)).served;
    expect(() => new WebSocketServerTransport(socket, { unreadReplies: { maxBytes: 0 } })).toThrow(
      RangeError,
    );
    expect(
      () =>
        new WebSocketServerTransport(socket, {
          unreadReplies: { maxBytes: 10, closeAboveBytes: 5 },
        }),
    ).toThrow(RangeError);
  });
});
