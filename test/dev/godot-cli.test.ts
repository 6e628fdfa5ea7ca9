import { execFile } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { selectSubprotocol, WebSocketServerTransport } from '@godot/shared';
import { freePort } from '@godot/testkit';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));

/** Any C0 control but tab and line feed, DEL, or any C1 control. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/**
 * Rows as an attacker can get them stored: anyone may call `logger_log`, and
 * Dewey gives the text back as written. Title change, screen clear, colours,
 * a carriage return that overwrites the line, 8-bit CSI and OSC, a clipboard
 * write (OSC 52) in `data`.
 */
const HOSTILE_ROWS = [
  {
    created_at: '2026-01-02T03:04:05.678Z',
    level: 'INFO',
    component: 'relay\u001b[1A',
    message:
      'before\u001b]0;pwned\u0007\u001b[2J\u001b[31mred\u001b[0m\rover\u009b31mC1\u009d8;;http://evil\u009c after\u007f\u0000',
    trace_id: null,
    data: { clip: '\u001b]52;c;ZXZpbA==\u0007', c1: '\u009b2J' },
  },
];
const HOSTILE_TEXT = JSON.stringify({ logs: HOSTILE_ROWS });

/**
 * A stand-in for Godot's MCP surface over WebSocket: `logger_query` returns
 * the hostile rows as Godot does (text: the serialized `{logs}`), `logger_clear` fails with a
 * hostile message.
 */
async function startFakeGodot(): Promise<{ url: string; close(): Promise<void> }> {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: selectSubprotocol,
  });
  wss.on('connection', (socket) => {
    const server = new Server({ name: 'godot', version: '0.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
      if (request.params.name === 'logger_query') {
        return {
          content: [{ type: 'text', text: HOSTILE_TEXT }],
          structuredContent: { logs: HOSTILE_ROWS },
        };
      }
      return {
        content: [{ type: 'text', text: 'refused\u001b]0;pwned\u0007\u001b[2J by \u009b1mDewey' }],
        isError: true,
      };
    });
    void server.connect(new WebSocketServerTransport(socket));
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

/** `pnpm godot …` as a person runs it (without pnpm's banner); never rejects. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--conditions=godot-source', '--import', 'tsx', 'scripts/godot.ts', ...args],
      { cwd: repo, env: { ...process.env, GODOT_URL: '', AUTH_TOKEN: '' } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('pnpm godot: nothing a log entry holds reaches the terminal as a control sequence', () => {
  let godot: Awaited<ReturnType<typeof startFakeGodot>>;

  beforeAll(async () => {
    godot = await startFakeGodot();
  });
  afterAll(async () => {
    await godot?.close();
  });

  it('query (table): prints the rows with every escape sequence and control removed', async () => {
    const { code, stdout } = await cli('query', '--url', godot.url);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(CONTROL);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4); // header, rule, one row, count
    expect(lines[2]).toContain('2026-01-02 03:04:05.678  INFO   relay      beforered overC1 after');
    expect(lines[2]).toContain('{"clip":"\\u001b]52;c;ZXZpbA==\\u0007","c1":""}');
    expect(lines[3]).toBe('1 row(s)');
  });

  it('query --json: prints exactly the JSON Godot sent', async () => {
    const { code, stdout } = await cli('query', '--json', '--url', godot.url);
    expect(code).toBe(0);
    expect(stdout).toBe(`${HOSTILE_TEXT}\n`);
    expect(JSON.parse(stdout)).toEqual({ logs: HOSTILE_ROWS });
  });

  it('a tool error is printed without its control sequences', async () => {
    const { code, stderr } = await cli('clear', '--url', godot.url);
    expect(code).toBe(1);
    expect(stderr).not.toMatch(CONTROL);
    expect(stderr).toContain('error: refused by Dewey');
  });

  it('an unreachable Godot is named without the token in its URL', async () => {
    const url = `ws://godot:s3cret@127.0.0.1:${await freePort()}/?access_token=s3cret`;
    const { code, stderr } = await cli('query', '--url', url);
    expect(code).toBe(1);
    expect(stderr).toContain('cannot reach Godot at ws://godot:***@127.0.0.1:');
    expect(stderr).toContain('?access_token=***');
    expect(stderr).not.toContain('s3cret');
  });
});
