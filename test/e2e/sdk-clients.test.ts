import { randomUUID } from 'node:crypto';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { TestStack } from '../support/stack/test-stack.js';

/**
 * The SDK's own client transports, as a TypeScript user would connect them
 * (docs/product.md#connecting): every tool over Streamable HTTP and over WebSocket, with
 * AUTH_TOKEN and without it, against a real server and worker storing into
 * the emulator.
 */

// The SDK's WebSocket client uses the global WebSocket, which Node 20 lacks.
// ws's offers the `mcp` subprotocol just the same, and the server selects it.
const globals = globalThis as { WebSocket?: unknown };
const nativeWebSocket = globals.WebSocket;

const TOOLS = ['logger_clear', 'logger_log', 'logger_query', 'logger_set_level'];

for (const token of [undefined, 'e2e-Secret_42']) {
  describe(`SDK client transports, AUTH_TOKEN ${token === undefined ? 'unset' : 'set'}`, () => {
    let stack: TestStack | undefined;
    let port: number;

    beforeAll(async () => {
      globals.WebSocket = WebSocket;
      stack = await TestStack.start({ queuePrefix: 'sdk', config: { AUTH_TOKEN: token } });
      const server = await stack.startServer();
      await stack.startWorker({}, { workerId: 'sdk-e2e' });
      port = server.port;
    });
    afterAll(async () => {
      await stack?.close();
      globals.WebSocket = nativeWebSocket;
    });

    const transports: Record<string, () => Transport> = {
      // Headers go through requestInit, as the SDK documents.
      'Streamable HTTP': () =>
        new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
          requestInit: token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } },
        }),
      // The WebSocket client cannot send headers: the token rides on the URL.
      WebSocket: () =>
        new WebSocketClientTransport(
          new URL(
            `ws://127.0.0.1:${port}/${token === undefined ? '' : `?access_token=${encodeURIComponent(token)}`}`,
          ),
        ),
    };

    for (const [name, transport] of Object.entries(transports)) {
      it(`${name}: lists, logs, queries what was stored, sets a level, clears`, async () => {
        const client = new Client({ name: 'sdk-e2e', version: '1.0.0' });
        await client.connect(transport());
        try {
          const { tools } = await client.listTools();
          expect(tools.map((tool) => tool.name).sort()).toEqual(expect.arrayContaining(TOOLS));

          const component = `sdk-${name.replace(/\W/g, '')}-${randomUUID().slice(0, 6)}`;
          const traceId = randomUUID();
          const logged = payload(
            await client.callTool({
              name: 'logger_log',
              arguments: {
                component,
                level: 'INFO',
                message: `hello over ${name}`,
                trace_id: traceId,
              },
            }),
          );
          expect(logged).toMatchObject({ queued: true, id: expect.any(String) });

          // Delivered by the worker: the query returns what was logged, once.
          const query = async () =>
            logsOf(
              await client.callTool({ name: 'logger_query', arguments: { trace_id: traceId } }),
            );
          await expect.poll(async () => (await query()).length, { timeout: 15_000 }).toBe(1);
          expect((await query())[0]).toMatchObject({
            component,
            level: 'INFO',
            message: `hello over ${name}`,
          });

          const first = payload(
            await client.callTool({
              name: 'logger_set_level',
              arguments: { component, level: 'WARN' },
            }),
          );
          expect(first).toMatchObject({ component, level: 'WARN' });
          const second = payload(
            await client.callTool({
              name: 'logger_set_level',
              arguments: { component, level: 'DEBUG' },
            }),
          );
          expect(second).toMatchObject({ component, level: 'DEBUG', previous: 'WARN' });

          const cleared = payload(
            await client.callTool({
              name: 'logger_clear',
              arguments: { component, before_time: new Date(Date.now() + 60_000).toISOString() },
            }),
          );
          expect(cleared).toMatchObject({ status: 'ok', deleted_count: 1 });
          expect(await query()).toEqual([]);
        } finally {
          await client.close();
        }
      });
    }

    if (token !== undefined) {
      it('refuses a wrong token on both transports', async () => {
        const http = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
          requestInit: { headers: { Authorization: 'Bearer wrong' } },
        });
        await expect(new Client({ name: 'x', version: '1' }).connect(http)).rejects.toThrow(
          /401|Unauthorized/,
        );
        const ws = new WebSocketClientTransport(
          new URL(`ws://127.0.0.1:${port}/?access_token=wrong`),
        );
        await expect(new Client({ name: 'x', version: '1' }).connect(ws)).rejects.toThrow(/401/);
      });

      it('an OAuth client (the SDK auth flow Claude Code and mcp-remote run) is told to send the token', async () => {
        const http = new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), {
          authProvider: oauthClientWithNothing(),
        });
        await expect(new Client({ name: 'x', version: '1' }).connect(http)).rejects.toThrow(
          /send the header Authorization: Bearer <AUTH_TOKEN>/,
        );
        const probe = await fetch(
          `http://127.0.0.1:${port}/.well-known/oauth-protected-resource/mcp`,
        );
        expect(probe.headers.get('content-type')).toMatch(/^application\/json/);
        expect(((await probe.json()) as { error_description: string }).error_description).toContain(
          `claude mcp add --transport http godot http://127.0.0.1:${port}/mcp --header "Authorization: Bearer <token>"`,
        );
      });
    }
  });
}

/** The JSON payload of a tool result's text. */
function payload(result: unknown): Record<string, unknown> {
  const r = result as { isError?: boolean; content: { text: string }[] };
  const text = r.content[0]?.text ?? 'null';
  if (r.isError) throw new Error(`tool error: ${text}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** The rows of a `logger_query` result, from its structured content. */
function logsOf(result: unknown): Record<string, unknown>[] {
  const r = result as {
    isError?: boolean;
    structuredContent?: { logs?: Record<string, unknown>[] };
  };
  if (r.isError) throw new Error(`tool error: ${JSON.stringify(result)}`);
  return r.structuredContent?.logs ?? [];
}

/** An OAuth client with no registration and no tokens: it discovers, then registers. */
function oauthClientWithNothing(): OAuthClientProvider {
  return {
    redirectUrl: 'http://127.0.0.1:1/callback',
    clientMetadata: { client_name: 'sdk-e2e', redirect_uris: ['http://127.0.0.1:1/callback'] },
    clientInformation: () => undefined,
    saveClientInformation: () => {},
    tokens: () => undefined,
    saveTokens: () => {},
    redirectToAuthorization: () => {
      throw new Error('should not get as far as authorization');
    },
    saveCodeVerifier: () => {},
    codeVerifier: () => '',
  };
}
