import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GodotServer } from '../godot-server.js';
import { TOOL_LIST } from '../mcp/tool-catalog.js';
import {
  entriesOfJob,
  metricSample,
  payload,
  type ServerStack,
  startServerStack,
} from '../server.fixture.js';
import { initializeSession, listTools, logOverHttp, mcpRequest } from './mcp-http.fixture.js';

/**
 * `/mcp` works when one client's requests land on different servers (a load
 * balancer without sticky sessions;
 * docs/product.md#several-servers-and-workers). Two servers share one
 * private Redis and one queue, as a fleet does.
 */
describe('/mcp sessions across servers sharing one Redis', () => {
  let stack: ServerStack;
  let a: GodotServer;
  let b: GodotServer;

  beforeAll(async () => {
    stack = await startServerStack();
    [a, b] = [await stack.start(), await stack.start()];
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('a session opened on A is served on B, and ended on B for A too', async () => {
    const session = await initializeSession(a);
    expect(await listTools(b, session)).toMatchObject({
      status: 200,
      tools: TOOL_LIST.tools.length,
    });

    const { status, reply } = await logOverHttp(b, session, 'initialized on A, logged on B');
    expect(status).toBe(200);
    expect(reply).toMatchObject({ queued: true, id: expect.any(String) });
    expect(await entriesOfJob(stack.queue, reply.id ?? '')).toEqual([
      expect.objectContaining({ component: 'http', message: 'initialized on A, logged on B' }),
    ]);
    // Both servers count the one shared set.
    expect(await metricSample(a, 'godot_http_sessions')).toBe(1);
    expect(await metricSample(b, 'godot_http_sessions')).toBe(1);

    expect((await mcpRequest(b, session, undefined, 'DELETE')).status).toBe(200);
    expect(await listTools(a, session)).toMatchObject({ status: 404, code: -32001 });
    expect(await listTools(b, session)).toMatchObject({ status: 404, code: -32001 });
    expect(await metricSample(a, 'godot_http_sessions')).toBe(0);
  });

  it("the SDK's own client works with its requests spread round-robin over both servers", async () => {
    const ports = [a.port, b.port];
    const landed = new Map<number, string[]>(ports.map((port) => [port, []]));
    let next = 0;
    // A load balancer without affinity: every request goes to the next server.
    const roundRobin: typeof fetch = (input, init) => {
      const port = ports[next++ % ports.length] as number;
      const url = new URL(input instanceof Request ? input.url : input);
      url.port = String(port);
      landed.get(port)?.push(`${init?.method ?? 'GET'} ${JSON.stringify(init?.body ?? '')}`);
      return fetch(url, init);
    };
    const client = new Client({ name: 'round-robin', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${a.port}/mcp`), {
      fetch: roundRobin,
    });
    await client.connect(transport);
    const session = transport.sessionId ?? '';
    try {
      expect(session).toMatch(/^[0-9a-f-]{36}$/);
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(
        TOOL_LIST.tools.map((tool) => tool.name),
      );
      for (let i = 0; i < 6; i += 1) {
        const reply = payload<{ queued: boolean; id: string }>(
          await client.callTool({
            name: 'logger_log',
            arguments: { component: 'round-robin', level: 'INFO', message: `call ${i}` },
          }),
        );
        expect(reply.queued).toBe(true);
        expect(await entriesOfJob(stack.queue, reply.id)).toEqual([
          expect.objectContaining({ message: `call ${i}` }),
        ]);
      }
      // Both servers served this one session's tool calls.
      for (const port of ports) {
        expect(landed.get(port)?.filter((line) => line.includes('tools/call')).length).toBe(3);
      }
    } finally {
      await transport.terminateSession();
      await client.close();
    }
    // Ended through one server, gone on both.
    expect(await listTools(a, session)).toMatchObject({ status: 404 });
    expect(await listTools(b, session)).toMatchObject({ status: 404 });
  });
});
