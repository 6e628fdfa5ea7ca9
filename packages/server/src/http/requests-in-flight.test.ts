import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { silentLogger } from '@godot/shared';
import { describe, expect, it } from 'vitest';
import { type ClosableServer, HttpRequestsInFlight } from './requests-in-flight.js';

/** A response that is never sent: the test ends it by emitting `close`. */
const response = () => new ServerResponse(new IncomingMessage(new Socket()));

/** A server that records being closed. */
function server(): ClosableServer & { closed: number } {
  const s = {
    closed: 0,
    close: async () => {
      s.closed += 1;
    },
  };
  return s;
}

describe('HttpRequestsInFlight', () => {
  it('caps each session, frees a slot when a response closes, and keeps no idle session', () => {
    const inFlight = new HttpRequestsInFlight({ logger: silentLogger, maxPerSession: 2 });
    const [a1, a2, a3, b1] = [response(), response(), response(), response()];
    expect(inFlight.begin('a', a1)).toBeDefined();
    expect(inFlight.begin('a', a2)).toBeDefined();
    expect(inFlight.begin('a', a3)).toBeUndefined();
    // Another session, and requests without one (initialize), are not held back.
    expect(inFlight.begin('b', b1)).toBeDefined();
    expect(inFlight.begin(undefined, response())).toBeDefined();
    expect(inFlight.sessions).toBe(2);

    a1.emit('close');
    expect(inFlight.begin('a', a3)).toBeDefined();
    for (const res of [a2, a3, b1]) res.emit('close');
    // Bounded by open requests, whatever ids clients send.
    expect(inFlight.sessions).toBe(0);
  });

  it('closes what serves a request when its response closes, or at once if it already had', () => {
    const inFlight = new HttpRequestsInFlight({ logger: silentLogger });
    const open = response();
    const served = server();
    expect(inFlight.begin('s', open)?.serve(served)).toBe(true);
    expect(served.closed).toBe(0);
    open.emit('close');
    expect(served.closed).toBe(1);

    // The client left while the session was being checked.
    const gone = response();
    const request = inFlight.begin('s', gone);
    gone.emit('close');
    const late = server();
    expect(request?.serve(late)).toBe(false);
    expect(late.closed).toBe(1);
  });

  it('closeAll closes what serves every open request, once', async () => {
    const inFlight = new HttpRequestsInFlight({ logger: silentLogger });
    const servers = [server(), server()];
    const responses = [response(), response()];
    inFlight.begin('s', responses[0] as ServerResponse)?.serve(servers[0] as ClosableServer);
    inFlight.begin(undefined, responses[1] as ServerResponse)?.serve(servers[1] as ClosableServer);
    await inFlight.closeAll();
    expect(servers.map((s) => s.closed)).toEqual([1, 1]);
    await inFlight.closeAll();
    expect(servers.map((s) => s.closed)).toEqual([1, 1]);
  });
});
