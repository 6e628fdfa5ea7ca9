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

const HOSTILE = 'x\u001b]0;pwned\u0007\u001b[2J\r\nover\u009b1Ay';
const TRACE_ID = '0b9c5a0e-8a52-4a9e-9f43-3c1f3c7a1d11';

/** A `logger_trace` reply whose every text field came from a hostile entry. */
const HOSTILE_TRACE = {
  logs: [
    { ...HOSTILE_ROWS[0], trace_id: TRACE_ID },
    { ...HOSTILE_ROWS[0], trace_id: TRACE_ID, created_at: '2026-01-02T03:04:05.700Z' },
  ],
  trace_id: TRACE_ID,
  count: 2,
  start: '2026-01-02T03:04:05.678Z',
  end: '2026-01-02T03:04:05.700Z',
  duration_ms: 22,
  errors: 0,
  components: [
    {
      component: HOSTILE,
      first: '2026-01-02T03:04:05.678Z',
      last: '2026-01-02T03:04:05.700Z',
      count: 2,
      errors: 0,
    },
  ],
  gaps: [
    {
      ms: 22,
      after: { component: HOSTILE, message: HOSTILE, created_at: '2026-01-02T03:04:05.678Z' },
      before: { component: HOSTILE, message: HOSTILE, created_at: '2026-01-02T03:04:05.700Z' },
    },
  ],
  exchanges: [
    {
      component: HOSTILE,
      id: HOSTILE,
      method: HOSTILE,
      request_at: '2026-01-02T03:04:05.678Z',
      response_at: '2026-01-02T03:04:05.700Z',
      latency_ms: 22,
      outcome: 'error',
      error_code: HOSTILE,
      error_message: HOSTILE,
    },
  ],
  sources: { recent: 2, dewey: 0 },
  dewey_error: HOSTILE,
  returned: 2,
};

/** A `logger_summary` reply whose components and patterns came from hostile entries. */
const HOSTILE_SUMMARY = {
  since: '2026-01-02T02:04:05.000Z',
  until: '2026-01-02T03:04:05.000Z',
  total: 3,
  by_component: { [HOSTILE]: { ERROR: 1, INFO: 2 } },
  patterns: [
    {
      pattern: HOSTILE,
      count: 3,
      first: '2026-01-02T02:05:00.000Z',
      last: '2026-01-02T03:04:00.000Z',
      levels: ['ERROR', 'INFO'],
      components: [HOSTILE],
      example: HOSTILE,
      trace_ids: [],
    },
  ],
};

/** What the fake answers each tool with (text: the serialized structured content, as Godot does). */
const REPLIES: Record<string, Record<string, unknown>> = {
  logger_query: { logs: HOSTILE_ROWS },
  logger_trace: HOSTILE_TRACE,
  logger_summary: HOSTILE_SUMMARY,
};

/**
 * A stand-in for Godot's MCP surface over WebSocket: `logger_query`,
 * `logger_trace` and `logger_summary` return hostile replies as Godot does,
 * any other tool fails with a hostile message. `calls` lists the calls it got.
 */
async function startFakeGodot(): Promise<{
  url: string;
  calls: { name: string; arguments: unknown }[];
  close(): Promise<void>;
}> {
  const calls: { name: string; arguments: unknown }[] = [];
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: selectSubprotocol,
  });
  wss.on('connection', (socket) => {
    const server = new Server({ name: 'godot', version: '0.0.0' }, { capabilities: { tools: {} } });
    server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
      calls.push({ name: request.params.name, arguments: request.params.arguments });
      const reply = REPLIES[request.params.name];
      if (reply !== undefined) {
        return {
          content: [{ type: 'text', text: JSON.stringify(reply) }],
          structuredContent: reply,
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
    calls,
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

  it('trace: prints the timeline with every escape sequence and control removed', async () => {
    const { code, stdout } = await cli('trace', TRACE_ID, '--url', godot.url);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(CONTROL);
    expect(godot.calls.at(-1)).toEqual({
      name: 'logger_trace',
      arguments: { trace_id: TRACE_ID, max_bytes: 1_000_000 },
    });
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`trace ${TRACE_ID}  ·  2 entries  ·  22 ms  ·  0 errors`);
    expect(lines).toContain(' +0 ms  relay  INFO   beforered overC1 after');
    expect(lines).toContain('+22 ms  relay  INFO   beforered overC1 after');
    expect(stdout).toContain('x overy');
  });

  it('summary: prints the counts and patterns with every escape sequence and control removed', async () => {
    const { code, stdout } = await cli(
      'summary',
      '--since',
      '1h',
      '--level',
      'warn',
      '--url',
      godot.url,
    );
    expect(code).toBe(0);
    expect(stdout).not.toMatch(CONTROL);
    expect(godot.calls.at(-1)).toEqual({
      name: 'logger_summary',
      arguments: { since: '1h', level: 'warn' },
    });
    expect(stdout).toMatch(/^x overy\s+1\s+2\s+3$/m);
    expect(stdout).toMatch(/^3\s+ERROR,INFO\s+x overy\s+x overy$/m);
  });

  it('trace and summary --json: print the structured content', async () => {
    // trace: its pages joined; here the one page.
    const trace = await cli('trace', TRACE_ID, '--json', '--url', godot.url);
    expect(JSON.parse(trace.stdout)).toEqual(HOSTILE_TRACE);
    const summary = await cli('summary', '--json', '--url', godot.url);
    expect(JSON.parse(summary.stdout)).toEqual(HOSTILE_SUMMARY);
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
