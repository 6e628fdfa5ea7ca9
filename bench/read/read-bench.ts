import { fetchJson } from '../../test/support/http-probe.js';
import type { LoadGeneratorOptions } from '../../test/support/load-generator.js';
import { McpWsClient } from '../../test/support/mcp-ws-client.js';
import type { ReadRow } from '../bench-report.js';
import type { BenchStack } from '../bench-stack.js';
import { type Phase, runPhase } from '../run-phase.js';
import { percentile } from '../stats.js';
import { fillRecentWindow, type RecentFill } from './recent-fill.js';

const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

/** The read calls measured, in the order they take turns. */
export const READ_CALLS = ['summary', 'trace', 'query_filter', 'query_search', 'tail'] as const;
type ReadCall = (typeof READ_CALLS)[number];

/** Options of {@link runReadBench}. */
export interface ReadBenchOptions {
  /** Entries to fill the window with, at most (it stops short of the bytes bound). */
  fillEntries: number;
  /** Length of the paced 1,000 logs/s phase during which the tools are called. */
  durationMs: number;
  /** The paced phases' sockets and pacing. */
  fleet: Pick<LoadGeneratorOptions, 'connections' | 'pacing'>;
}

/** What {@link runReadBench} measured. */
export interface ReadBench {
  /** The paced phase the tools were called during (its no-loss check, its CPU). */
  phase: Phase;
  /** The JSON keys: `read_<call>_p50_ms`, `read_window_entries`, `answer_bytes_<call>`, … */
  results: Record<string, number>;
  /** The rows of the read table (bench-report.ts, `readTable`). */
  rows: ReadRow[];
  fill: RecentFill;
}

/** One answer: its round trip, its text's bytes, and what it says. */
interface Answer {
  ms: number;
  bytes: number;
  structured: Record<string, unknown>;
}

/**
 * The read side over a full window while ingest runs: fills the recent
 * window (bench/read/recent-fill.ts) and takes each call's answer size once
 * (`answerSizes`); then runs a paced 1,000 logs/s phase (`read-load`) and
 * meanwhile, over one MCP client in this process, calls the read tools one
 * after the other, round-robin, keeping each call's round trip, and the
 * phase's `logger_log` round trips (`log_p50_ms_during_reads`, `…p99…`):
 * what the reads cost the writers. Then reads `/health`'s `recent.entries`.
 */
export async function runReadBench(
  stack: BenchStack,
  options: ReadBenchOptions,
): Promise<ReadBench> {
  progress(`filling the recent window (${options.fillEntries} entries)…`);
  const fill = await fillRecentWindow({
    redisUrl: stack.redis.url,
    config: stack.config,
    entries: options.fillEntries,
    // Room for what the read-load phase adds: 1,000 entries/s of up to 1 KB (bench entries
    // are ~150 bytes), and 16 MiB more.
    headroomBytes: (options.durationMs / 1000) * 1000 * 1024 + 16 * 2 ** 20,
  });
  const client = await McpWsClient.connect(stack.serverUrl, { requestTimeoutMs: 60_000 });
  try {
    const init = await client.initialize();
    if (init.kind !== 'reply' || init.reply.error) throw new Error('read tools: initialize failed');
    const calls = callsOf(fill);
    const latencies = new Map<ReadCall, number[]>(READ_CALLS.map((call) => [call, []]));
    const counts = { errors: 0, notRecent: 0 };
    const measure = async (call: ReadCall) => {
      try {
        const answer = await ask(client, calls[call]);
        latencies.get(call)?.push(answer.ms);
        // A window read must answer from the window: Dewey's answer would measure the emulator.
        if ('source' in answer.structured && answer.structured.source !== 'recent') {
          if (counts.notRecent++ === 0)
            progress(`read tools: ${call} answered from ${answer.structured.source}`);
        }
      } catch (error) {
        if (counts.errors++ === 0) progress(`read tools: ${call} failed: ${String(error)}`);
      }
    };
    // Sizes first, while the fill's entries are the newest (later the bench's own one-liners).
    const sizes = await answerSizes(client, calls, fill);
    let done = false;
    const loop = (async () => {
      while (!done) for (const call of READ_CALLS) if (!done) await measure(call);
    })();
    const phase = await runPhase(stack, 'read-load', {
      ...options.fleet,
      rate: 1000,
      durationMs: options.durationMs,
      recordTimings: true,
    }).finally(() => {
      done = true;
    });
    await loop;
    const { body } = await fetchJson(`${stack.server.origin}/health`);
    const windowEntries = (body as { recent?: { entries?: number } }).recent?.entries;

    const round = (value: number) => Number(value.toFixed(2));
    const results: Record<string, number> = {};
    for (const call of READ_CALLS) {
      const values = latencies.get(call) ?? [];
      results[`read_${call}_p50_ms`] = round(percentile(values, 50));
      results[`read_${call}_p99_ms`] = round(percentile(values, 99));
    }
    results.read_window_entries = windowEntries ?? Number.NaN;
    results.log_p50_ms_during_reads = round(percentile(phase.load.latenciesMs, 50));
    results.log_p99_ms_during_reads = round(percentile(phase.load.latenciesMs, 99));
    for (const [call, bytes] of Object.entries(sizes)) results[`answer_bytes_${call}`] = bytes;
    results.read_errors = counts.errors;
    results.read_not_recent = counts.notRecent;
    const rows: ReadRow[] = READ_CALLS.map((call) => ({
      call: describe(calls[call]),
      calls: latencies.get(call)?.length ?? 0,
      p50: results[`read_${call}_p50_ms`],
      p99: results[`read_${call}_p99_ms`],
      bytes: sizes[call] ?? Number.NaN,
      budgeted: true,
    }));
    rows.push(
      {
        call: 'logger_query {start_time: 10m ago, limit: 100, max_bytes: 8000000}',
        bytes: sizes.query_100_unbudgeted ?? Number.NaN,
        budgeted: false,
      },
      {
        call: 'logger_query {start_time: 10m ago, limit: 100, format: "lines"}',
        bytes: sizes.query_100_lines ?? Number.NaN,
        budgeted: true,
      },
    );
    rows.push({
      call: `logger_log during the reads (${phase.load.late} of ${phase.load.sent} sent late)`,
      calls: phase.load.latenciesMs.length,
      p50: results.log_p50_ms_during_reads,
      p99: results.log_p99_ms_during_reads,
    });
    return { phase, results, rows, fill };
  } finally {
    await client.close();
  }
}

/**
 * Each call's answer size (its text, bytes) with the default `format` and
 * `max_bytes`, over the fill's entries: the tail from the fill's start
 * (from `1m` it would begin with the bench's own one-line entries). Plus
 * 100 rows of `logger_query` with `max_bytes` 8000000 (what a model got
 * before `max_bytes`), and the same as `lines` with the default budget.
 */
async function answerSizes(
  client: McpWsClient,
  calls: Record<ReadCall, ToolCall>,
  fill: RecentFill,
): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  const since = new Date(fill.startedAtMs).toISOString();
  for (const call of READ_CALLS) {
    const args = call === 'tail' ? () => ({ ...calls.tail.args(), since }) : calls[call].args;
    sizes[call] = (await ask(client, { tool: calls[call].tool, args })).bytes;
  }
  const query100 = (extra: object): ToolCall => ({
    tool: 'logger_query',
    args: () => ({ start_time: minutesAgo(10), limit: 100, ...extra }),
  });
  sizes.query_100_unbudgeted = (await ask(client, query100({ max_bytes: 8_000_000 }))).bytes;
  sizes.query_100_lines = (await ask(client, query100({ format: 'lines' }))).bytes;
  return sizes;
}

/** A tool and its arguments, made at each call (times are relative to now). */
interface ToolCall {
  tool: string;
  args: () => Record<string, unknown>;
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

/** The five calls, over what the fill holds. */
function callsOf(fill: RecentFill): Record<ReadCall, ToolCall> {
  return {
    summary: { tool: 'logger_summary', args: () => ({}) },
    trace: { tool: 'logger_trace', args: () => ({ trace_id: fill.traceId }) },
    query_filter: {
      tool: 'logger_query',
      args: () => ({ start_time: minutesAgo(10), component: fill.component, level: 'ERROR' }),
    },
    query_search: {
      tool: 'logger_query',
      args: () => ({ start_time: minutesAgo(10), search: fill.searchWord }),
    },
    tail: { tool: 'logger_tail', args: () => ({ since: '1m', wait_ms: 0 }) },
  };
}

/** A call as the table shows it, times as words. */
function describe(call: ToolCall): string {
  const args = call.args();
  const shown = Object.entries(args).map(([key, value]) =>
    key === 'start_time' ? `${key}: 10m ago` : `${key}: ${JSON.stringify(value)}`,
  );
  return `${call.tool} {${shown.join(', ')}}`;
}

/** Calls a tool; throws on anything but a successful answer. */
async function ask(client: McpWsClient, call: ToolCall): Promise<Answer> {
  const outcome = await client.callTool(call.tool, call.args());
  if (outcome.kind !== 'reply') throw new Error(`${call.tool}: ${outcome.kind}`);
  const result = outcome.reply.result as
    | {
        isError?: boolean;
        structuredContent?: Record<string, unknown>;
        content?: { text?: string }[];
      }
    | undefined;
  const text = result?.content?.[0]?.text;
  if (outcome.reply.error || !result || result.isError || text === undefined) {
    throw new Error(`${call.tool}: ${outcome.reply.error?.message ?? text ?? 'no answer'}`);
  }
  return {
    ms: outcome.ms,
    bytes: Buffer.byteLength(text),
    structured: result.structuredContent ?? {},
  };
}
