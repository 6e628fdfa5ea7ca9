/**
 * One load process of `pnpm bench`: runs a persistent-socket load or
 * socket-per-line loops as described by the JSON in argv[2], and writes the
 * result as JSON to the file named there. Runs apart from bench/run.ts so the
 * bench's own bookkeeping does not compete with the load on the same thread.
 */
import { writeFile } from 'node:fs/promises';
import { LoadGenerator, type LoadGeneratorOptions } from '../test/support/load-generator.js';
import { type ClientLoadOptions, runClientLoad } from './client-load.js';
import { runSocketPerLine, type SocketPerLineOptions } from './socket-per-line.js';

/** What bench/run.ts asks a load process to do. */
export type LoadJob =
  | { kind: 'persistent'; out: string; options: LoadGeneratorOptions }
  | { kind: 'per-line'; out: string; options: SocketPerLineOptions }
  | { kind: 'client'; out: string; options: ClientLoadOptions };

/** What a load process writes back. */
export interface LoadOutput {
  startedAt: number;
  elapsedMs: number;
  sent: number;
  acknowledged: string[];
  refused: number;
  refusedSample: string[];
  unanswered: number;
  hung: number;
  notSent: number;
  /** Paced calls that fell due while their socket's previous call was unanswered (`'poisson'` pacing). */
  late: number;
  /** The longest such a call went out past its due time, ms. */
  maxLateMs: number;
  latenciesMs: number[];
  /** CPU time this load process used (user + system), seconds. */
  cpuSeconds: number;
}

const job = JSON.parse(process.argv[2] ?? '{}') as LoadJob;
const startedAt = Date.now();
let output: LoadOutput;
if (job.kind === 'persistent') {
  const rate = job.options.rate === 0 ? Number.POSITIVE_INFINITY : job.options.rate;
  const result = await LoadGenerator.run({ ...job.options, rate });
  output = {
    startedAt,
    elapsedMs: result.elapsedMs,
    sent: result.sent,
    acknowledged: [...result.acknowledged.keys()],
    refused: result.refused.length,
    refusedSample: result.refused.slice(0, 3).map((r) => r.reason),
    unanswered: result.unanswered.length,
    hung: result.hung.length,
    notSent: result.notSent,
    late: result.late,
    maxLateMs: result.maxLateMs,
    latenciesMs: result.latenciesMs,
    cpuSeconds: 0,
  };
} else if (job.kind === 'client') {
  const result = await runClientLoad(job.options);
  output = {
    startedAt,
    elapsedMs: result.elapsedMs,
    sent: job.options.count,
    acknowledged: result.acknowledged,
    refused: result.refused + result.dropped,
    refusedSample: result.dropped > 0 ? [`${result.dropped} dropped by the client`] : [],
    unanswered: job.options.count - result.acked - result.refused - result.dropped,
    hung: 0,
    notSent: 0,
    late: 0,
    maxLateMs: 0,
    latenciesMs: [],
    cpuSeconds: 0,
  };
} else {
  const result = await runSocketPerLine(job.options);
  output = {
    startedAt,
    elapsedMs: result.elapsedMs,
    sent: result.acknowledged.length + result.failed + result.hung,
    acknowledged: result.acknowledged,
    refused: result.failed,
    refusedSample: [],
    unanswered: 0,
    hung: result.hung,
    notSent: 0,
    late: 0,
    maxLateMs: 0,
    latenciesMs: [],
    cpuSeconds: 0,
  };
}
const usage = process.resourceUsage();
output.cpuSeconds = (usage.userCPUTime + usage.systemCPUTime) / 1e6;
await writeFile(job.out, JSON.stringify(output));
process.exit(0);
