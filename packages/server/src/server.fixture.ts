import { type Config, jobEntries, type LogEntry, type Logger } from '@godot/shared';
import type { Queue } from 'bullmq';
import { TestStack } from '../../../test/support/stack/test-stack.js';
import type { GodotServer, GodotServerOptions } from './godot-server.js';

export { connectClient } from '../../../test/support/stack/connect-client.js';

/** A private stack for one test file: real redis-server, Dewey emulator, and server(s). */
export interface ServerStack extends TestStack {
  /** Starts a server in this process on a free port (`TestStack.startServer`). */
  start(overrides?: Partial<Config>, options?: Partial<GodotServerOptions>): Promise<GodotServer>;
}

/** Starts Redis and the emulator; `start()` adds servers on free ports sharing them. */
export async function startServerStack(overrides: Partial<Config> = {}): Promise<ServerStack> {
  // Dewey reconnects (logger_query) back off to 200 ms at most here. With
  // no worker to take delayed jobs, each flush is a job of its own
  // (BATCH_TIMEOUT_MS 0: no gathering) unless a test asks otherwise; jobs
  // that gather entries are tested in ingest/job-writer.test.ts and by every
  // stack with a worker.
  const stack = await TestStack.start({
    env: { RETRY_MAX_DELAY_MS: '200', BATCH_TIMEOUT_MS: '0' },
    config: overrides,
  });
  return Object.assign(stack, { start: stack.startServer.bind(stack) });
}

/** The JSON payload inside a tool result's first text item. */
export function payload<T = Record<string, unknown>>(result: unknown): T {
  const content = (result as { content: { text: string }[] }).content;
  return JSON.parse(content[0]?.text ?? 'null') as T;
}

/** The text of a tool error, failing if the result was not an error. */
export function errorText(result: unknown): string {
  const r = result as { isError?: boolean; content: { text: string }[] };
  if (!r.isError) throw new Error(`expected a tool error, got ${JSON.stringify(result)}`);
  return r.content[0]?.text ?? '';
}

/** The entries a job holds for delivery. */
export async function entriesOfJob(queue: Queue, id: string): Promise<LogEntry[]> {
  const job = await queue.getJob(id);
  return job ? (jobEntries(job, (await queue.getJobLogs(id)).logs) as LogEntry[]) : [];
}

/** Every entry waiting for delivery, oldest first, as the worker will take them. */
export async function waitingEntries(queue: Queue): Promise<LogEntry[]> {
  // BullMQ lists the wait list newest first; `asc` turns it around.
  const jobs = await queue.getJobs(['waiting'], 0, -1, true);
  const appended = await Promise.all(jobs.map((job) => queue.getJobLogs(job.id as string)));
  return jobs.flatMap((job, index) => jobEntries(job, appended[index]?.logs) as LogEntry[]);
}

/** One line a `recordingLogger` kept. */
export interface RecordedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

/** A logger that keeps every line, for assertions on Godot's own log. */
export function recordingLogger(): { logger: Logger; lines: RecordedLine[] } {
  const lines: RecordedLine[] = [];
  const at = (level: RecordedLine['level']) => (obj: object, msg?: string) =>
    void lines.push({ level, obj, msg });
  return {
    logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
    lines,
  };
}

/** The protocol version the `/mcp` tests speak. */
export const MCP_PROTOCOL_VERSION = '2025-06-18';

/** A bare `initialize` POSTed to a `/mcp` URL, as a Streamable HTTP client opens a session. */
export function postInitialize(url: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: MCP_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { name: 't', version: '0' },
      },
    }),
  });
}

/** One sample of a server's `/metrics` (0 when absent), e.g. `metricSample(s, 'x_total{reason="a"}')`. */
export async function metricSample(server: { port: number }, sample: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}
