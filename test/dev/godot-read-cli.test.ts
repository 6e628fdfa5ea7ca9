/**
 * `pnpm godot tail`, `trace` and `summary` against a real stack: a server
 * run as its own process (the CLI's Godot, restarted on its port mid-tail)
 * and one in this process that the test logs through over WebSocket, both
 * on one private Redis (docs/product.md#logger_tail).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GodotProcess } from '../support/godot-process.js';
import { connectClient } from '../support/stack/connect-client.js';
import { TestStack } from '../support/stack/test-stack.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));
const CLI = ['--conditions=godot-source', '--import', 'tsx', 'scripts/godot.ts'];
/** The CLI's environment: no GODOT_URL or token from the caller's, and no colour settings. */
const { NO_COLOR: _noColor, FORCE_COLOR: _forceColor, ...callerEnv } = process.env;
const CLI_ENV = { ...callerEnv, GODOT_URL: '', AUTH_TOKEN: '' };

/** Any C0 control but tab and line feed, DEL, or any C1 control. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** `pnpm godot …` run to its end; never rejects. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...CLI, ...args], {
      cwd: repo,
      env: CLI_ENV,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** `pnpm godot …` left running, its output gathered as it comes. */
function startCli(...args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [...CLI, ...args], {
    cwd: repo,
    env: CLI_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output, exited };
}

/** A line's time (UTC): of day, with the date before it when the entry is not of today. */
const TIME = String.raw`^(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\.\d{3}`;

/** How many times `text` occurs in `within`. */
const occurrences = (within: string, text: string) => within.split(text).length - 1;

describe('pnpm godot tail, trace and summary against a real stack', () => {
  let stack: TestStack;
  let server: GodotProcess;
  /** The spawned server's WebSocket: the CLI's Godot. */
  let url: string;
  /** A client of the in-process server: logs while the spawned one restarts. */
  let logger: Client;
  const run = randomUUID().slice(0, 8);

  const log = async (component: string, message: string, over: Record<string, unknown> = {}) => {
    const result = await logger.callTool({
      name: 'logger_log',
      arguments: { component, level: 'INFO', message, ...over },
    });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  };

  beforeAll(async () => {
    stack = await TestStack.start({ queuePrefix: 'cli-read' });
    server = await stack.spawn('server');
    url = `ws://${new URL(server.origin).host}`;
    await stack.startWorker();
    logger = await connectClient((await stack.startServer()).url);
  }, 60_000);
  afterAll(async () => {
    await logger?.close();
    await stack?.close();
  });

  it('tail: prints the recent past, one line per entry, without control characters', async () => {
    const component = `once-${run}`;
    await log(component, 'first entry', { data: { step: 1 } });
    await log(component, 'second\u001b]0;pwned\u0007\u001b[2J\r\nline two\u009b31m', {
      level: 'ERROR',
    });
    await log(component, 'third entry', { trace_id: '0b9c5a0e-8a52-4a9e-9f43-3c1f3c7a1d11' });

    const { code, stdout, stderr } = await cli('tail', '--component', component, '--url', url);
    expect(code, stderr).toBe(0);
    expect(stdout).not.toMatch(CONTROL);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(
      new RegExp(`${TIME} INFO  ${component} - first entry \\{"step":1\\}$`),
    );
    expect(lines[1]).toMatch(new RegExp(`${TIME} ERROR ${component} - second line two$`));
    expect(lines[2]).toMatch(new RegExp(`${TIME} INFO  ${component} 0b9c5a0e third entry$`));
  });

  it('tail --json: one parseable entry per line, as the tool returned it', async () => {
    const component = `json-${run}`;
    await log(component, 'as json \u001b[2J', { data: { nested: { ok: true } } });
    await log(component, 'and another');

    const { code, stdout } = await cli('tail', '--json', '--component', component, '--url', url);
    expect(code).toBe(0);
    const entries = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries).toEqual([
      expect.objectContaining({
        component,
        level: 'INFO',
        message: 'as json \u001b[2J',
        trace_id: null,
        data: { nested: { ok: true } },
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      }),
      expect.objectContaining({ component, message: 'and another', data: null }),
    ]);
  });

  it('tail -f: prints what is logged after it started, across two server restarts, until Ctrl-C', async () => {
    const component = `follow-${run}`;
    const tail = startCli('tail', '-f', '--component', component, '--url', url);
    try {
      // It starts now: find out when by logging markers until one is printed.
      let marker = 0;
      await expect
        .poll(
          async () => {
            await log(component, `marker-${marker++}`);
            return tail.output.stdout;
          },
          { timeout: 30_000, interval: 500 },
        )
        .toContain('marker-');

      const sent: string[] = [];
      const send = async (message: string) => {
        sent.push(message);
        await log(component, message);
      };
      const printed = () => sent.filter((message) => tail.output.stdout.includes(message));

      for (let i = 0; i < 3; i++) await send(`before-${i}`);
      await expect.poll(printed, { timeout: 10_000 }).toEqual(sent);

      // A restart as deployed (SIGTERM: a waiting tail answers, then the socket closes)…
      await server.terminate();
      for (let i = 0; i < 3; i++) await send(`while-stopped-${i}`);
      await server.start();
      for (let i = 0; i < 3; i++) await send(`after-restart-${i}`);
      await expect.poll(printed, { timeout: 30_000 }).toEqual(sent);

      // …and a crash (SIGKILL: no goodbye), on the same port again.
      await server.kill();
      for (let i = 0; i < 3; i++) await send(`while-crashed-${i}`);
      await server.start();
      for (let i = 0; i < 3; i++) await send(`after-crash-${i}`);
      await expect.poll(printed, { timeout: 30_000 }).toEqual(sent);

      // Each entry once, in the order logged; the outages said on stderr, never on stdout.
      const lines = tail.output.stdout.trimEnd().split('\n');
      const ours = lines.filter((line) => !line.includes('marker-'));
      expect(ours.map((line) => line.split(' ').at(-1))).toEqual(sent);
      for (const message of sent) expect(occurrences(tail.output.stdout, ` ${message}\n`)).toBe(1);
      expect(occurrences(tail.output.stderr, 'godot: connection lost')).toBe(2);
      expect(occurrences(tail.output.stderr, 'godot: reconnected')).toBe(2);
      expect(tail.output.stdout).not.toContain('godot:');

      tail.child.kill('SIGINT');
      expect(await tail.exited).toEqual({ code: 0, signal: null });
    } finally {
      tail.child.kill('SIGKILL');
    }
  }, 120_000);

  it('trace: the timeline of a trace logged over WebSocket, with its exchanges', async () => {
    const trace = randomUUID();
    const [caller, callee] = [`caller-${run}`, `callee-${run}`];
    await log(caller, 'calling the callee', {
      trace_id: trace,
      data: { method: 'tools/call', id: 7 },
    });
    await log(callee, 'upstream timed out', { trace_id: trace, level: 'ERROR' });
    await log(caller, 'call failed', {
      trace_id: trace,
      level: 'WARN',
      data: { id: 7, error: { code: -32001, message: 'Request timed out' } },
    });
    await log(caller, 'listing tools', { trace_id: trace, data: { method: 'tools/list', id: 8 } });

    let stdout = '';
    await expect
      .poll(
        async () => {
          const result = await cli('trace', trace, '--url', url);
          expect(result.code, result.stderr).toBe(0);
          stdout = result.stdout;
          return stdout.split('\n')[0];
        },
        { timeout: 15_000 },
      )
      .toMatch(new RegExp(`^trace ${trace}  ·  4 entries  ·  [\\d.]+ ms  ·  1 error$`));
    expect(stdout).not.toMatch(CONTROL);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toContain(`components: ${caller} (3), ${callee} (1, 1 error)`);
    expect(lines.filter((line) => /^\s*\+[\d.]+ ms {2}/.test(line))).toEqual([
      expect.stringMatching(new RegExp(`^\\s*\\+0 ms  ${caller}\\s+INFO   calling the callee$`)),
      expect.stringMatching(new RegExp(`ms  ${callee}\\s+ERROR  upstream timed out$`)),
      expect.stringMatching(new RegExp(`ms  ${caller}\\s+WARN   call failed$`)),
      expect.stringMatching(new RegExp(`ms  ${caller}\\s+INFO   listing tools$`)),
    ]);
    expect(stdout).toMatch(
      new RegExp(`^${caller}\\s+tools/call\\s+7\\s+[\\d.]+ ms\\s+-32001 Request timed out$`, 'm'),
    );
    expect(stdout).toMatch(new RegExp(`^${caller}\\s+tools/list\\s+8\\s+no response$`, 'm'));
    expect(stdout).toContain('largest gaps');

    const json = await cli('trace', trace, '--json', '--url', url);
    const reply = JSON.parse(json.stdout);
    expect(reply.trace_id).toBe(trace);
    expect(reply.logs.map((entry: { message: string }) => entry.message)).toEqual([
      'calling the callee',
      'upstream timed out',
      'call failed',
      'listing tools',
    ]);
  });

  it('summary: counts by component and level, and the top patterns', async () => {
    const component = `summary-${run}`;
    for (let i = 0; i < 3; i++) await log(component, `request ${100 + i} served in ${i + 5} ms`);
    for (let i = 0; i < 2; i++) {
      await log(component, `upstream 10.0.0.${i}:8080 timed out`, { level: 'ERROR' });
    }

    let stdout = '';
    await expect
      .poll(
        async () => {
          const result = await cli(
            'summary',
            '--since',
            '1h',
            '--component',
            component,
            '--url',
            url,
          );
          expect(result.code, result.stderr).toBe(0);
          stdout = result.stdout;
          return stdout.split('\n')[0];
        },
        { timeout: 15_000 },
      )
      .toMatch(/^5 entries /);
    expect(stdout).not.toMatch(CONTROL);
    expect(stdout).toMatch(/^component\s+ERROR\s+INFO\s+total$/m);
    expect(stdout).toMatch(new RegExp(`^${component}\\s+2\\s+3\\s+5$`, 'm'));
    expect(stdout).toMatch(
      new RegExp(`^3\\s+INFO\\s+${component}\\s+request <n> served in <n> ms$`, 'm'),
    );
    expect(stdout).toMatch(
      new RegExp(`^2\\s+ERROR\\s+${component}\\s+upstream <ip> timed out$`, 'm'),
    );

    const json = await cli(
      'summary',
      '--since',
      '1h',
      '--component',
      component,
      '--json',
      '--url',
      url,
    );
    const reply = JSON.parse(json.stdout);
    expect(reply.total).toBe(5);
    expect(reply.by_component).toEqual({ [component]: { ERROR: 2, INFO: 3 } });
  });
});
