/**
 * `pnpm bench [--quick] [--json] [--profile]`: measures Godot against its
 * performance targets (docs/product.md#performance-targets) on this machine. `pnpm bench --cluster
 * [--quick] [--json]` measures the Redis Cluster path instead: one Redis,
 * then a 3-master cluster with 1 and with 3 queue shards (bench/cluster-bench.ts).
 *
 * Every part runs as its own process on 127.0.0.1: a private redis-server
 * (AOF, everysec, as in production), the Dewey emulator (bench/emulator-main.ts),
 * Godot's server and worker with default settings, and one load process per
 * phase (bench/load-main.ts). On a 2-core machine all of them share the two
 * cores, so the load generator's own CPU is taken from Godot: the numbers are
 * a floor for a deployment where clients run elsewhere.
 *
 * Paced phases (warm-up and 1,000 logs/s) load Godot as a fleet does: 64
 * persistent sockets (`--paced-connections`), each sending one call at a
 * time at exponential (Poisson) intervals, on its own timer, of mean
 * sockets ÷ rate (64 ms at 1,000/s): the calls add up to the rate and arrive
 * one by one, never in bursts that one flush would catch together. A call
 * falling due while its socket's previous call is unanswered goes out on
 * that reply and counts as late (test/support/poisson-pacer.ts).
 *
 * Phases, each ending with a no-loss check (acknowledged ⊆ stored):
 *  0. warm-up (JIT, connections), paced at 1,000 logs/s, not reported;
 *  a. sustained: persistent sockets, closed loop (as fast as the stack
 *     answers) → end-to-end logs/s = rows stored / time until the last stored;
 *  b. steady 1,000 logs/s, paced → `logger_log` round trip p50/p99
 *     (`log_p50_ms` and `log_p50_ms_at_1000` are the same figure), calls
 *     sent late, entries stored per BullMQ job added (the job counters of
 *     every queue shard), and queued→stored
 *     p50/p99 (store time taken in the emulator process minus the entry's
 *     `created_at`, which the server stamps on receipt just before queueing:
 *     an upper bound of queued→stored by the few ms of the enqueue);
 *  b'. steady-tail: the same as b (same pacing, rate and length), with one
 *     `logger_tail` client in this process following the recent window
 *     (bench/read/tail-watcher.ts): `initialize` once, then `logger_tail` after
 *     `logger_tail` with the previous cursor, `wait_ms` 10000, `limit` 1000,
 *     `max_bytes` 8000000 → CPU per entry while tailed, and for each of the
 *     phase's entries the tail returns, now − its `created_at` (stamped by
 *     the server on receipt, a few ms before the ack: an upper bound of
 *     ack → tail);
 *  c. one WebSocket per log line (connect, initialize, call, close) in 8 loops
 *     → logs/s (information only) and server CPU per line;
 *  c'. client: one @godot/client logger, as a Node service logs;
 *  d. peak RSS of server and worker (/proc VmRSS every 200 ms, and VmHWM),
 *     over phases 0 to c';
 *  e. read side (bench/read/read-bench.ts): the recent window is filled directly
 *     in Redis with fleet-like entries (bench/read/recent-fill.ts: 150,000 with
 *     `--quick`, else 900,000, stopping short of the window's bytes bound),
 *     then `read-load`, paced at 1,000 logs/s (10 s quick, 30 s full), runs
 *     while one MCP client in this process calls `logger_summary`,
 *     `logger_trace`, `logger_query` (component + ERROR, and a search for a
 *     word in ~1% of messages) and `logger_tail` (`since` 1m) round-robin,
 *     timing each; then each call's answer size is taken once.
 * CPU per entry counts server + worker + Redis (the emulator and the load
 * process are not Godot), from /proc over each phase's span: from the load's
 * start until everything acknowledged is stored (bench/run-phase.ts).
 *
 * `--json` prints one JSON object as the last line. Besides the figures above
 * (`e2e_logs_per_s`, `log_p99_ms`, `delivery_p99_ms`, `server_rss_mb`, `lost`, …)
 * it holds, in CPU milliseconds (3 decimals; null when nothing was counted):
 *  - `cpu_ms_per_entry_at_1000`: server + worker + Redis CPU ÷ entries stored,
 *    steady 1,000 logs/s phase (b);
 *  - `cpu_ms_per_entry_saturated`: the same for the closed-loop phase (a);
 *  - `server_cpu_ms_per_connection`: server CPU ÷ log lines acknowledged in
 *    the socket-per-line phase (c), each line a connect, initialize, call, close;
 *  - `cpu_ms_per_entry_at_1000_tailing`: the same as `cpu_ms_per_entry_at_1000`
 *    for phase b' (a tail following);
 * and, for phase b, `entries_per_job_at_1000` (entries stored ÷ BullMQ jobs
 * added) and `late_pct_at_1000` (percent of its calls sent late). Phase b':
 * `tail_p50_ms`, `tail_p99_ms` (ack → returned by the tail, ms) and
 * `tail_seen_pct` (percent of the phase's acknowledged entries the tail
 * returned; anything below 100 fails the run, as a lost entry does).
 * Phase e, in ms (2 decimals) and bytes, `<call>` being `summary`, `trace`,
 * `query_filter`, `query_search` or `tail`:
 *  - `read_<call>_p50_ms`, `read_<call>_p99_ms`: round trips while ingest ran;
 *  - `read_window_entries`: entries in the window after the phase (/health's
 *    `recent.entries`);
 *  - `answer_bytes_<call>`: the answer's text with default `format` and
 *    `max_bytes`; `answer_bytes_query_100_unbudgeted`: `logger_query` of 100
 *    rows, `max_bytes` 8000000 (what a model got before `max_bytes`);
 *    `answer_bytes_query_100_lines`: the same as `format: "lines"` with the
 *    default `max_bytes`;
 *  - `log_p50_ms_during_reads`, `log_p99_ms_during_reads`: the phase's
 *    `logger_log` round trips, what the reads cost the writers;
 *  - `read_errors` (calls that failed) and `read_not_recent` (summary or
 *    query answers that came from Dewey, not the window): both should be 0.
 * The answer sizes are taken right after the fill, over its entries.
 * Warnings and errors that server and worker logged (LOG_LEVEL=warn) are
 * printed to stderr at the end.
 * `--profile` runs server and worker under `--cpu-prof` and prints where
 * their CPU time went. Server and worker run the compiled `dist/` as
 * production does (`pnpm build` first);
 * `--source` runs them through tsx instead. `BENCH_NODE_ARGS` adds node flags
 * to both (e.g. `--max-semi-space-size=2`: server RSS 212 → 176 MB, but end to
 * end 5.9k → 3.6k logs/s in one quick run, so production keeps the default).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cpuTable, readTable, resultsTable } from './bench-report.js';
import { startBenchStack } from './bench-stack.js';
import { runClusterBench } from './cluster-bench.js';
import { RssSampler } from './proc-stats.js';
import { summarizeProfiles } from './profile-summary.js';
import { type ReadBench, runReadBench } from './read/read-bench.js';
import { TailWatcher } from './read/tail-watcher.js';
import { redisStatsTable, resetRedisStats } from './redis-stats.js';
import { cpuMsPer, e2eLogsPerSecond, entriesPerJob, type Phase, runPhase } from './run-phase.js';
import { percentile } from './stats.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    source: { type: 'boolean', default: false },
    cluster: { type: 'boolean', default: false },
    connections: { type: 'string', default: '8' },
    'paced-connections': { type: 'string', default: '64' },
    'in-flight': { type: 'string', default: '64' },
  },
});
const ms = flags.quick
  ? { warmup: 1000, sustained: 5000, steady: 5000, perLine: 5000, clientEntries: 50_000 }
  : { warmup: 3000, sustained: 20_000, steady: 60_000, perLine: 20_000, clientEntries: 200_000 };
/** The read side: entries filled into the recent window, and the read-load phase's length. */
const read = flags.quick
  ? { fillEntries: 150_000, durationMs: 10_000 }
  : { fillEntries: 900_000, durationMs: 30_000 };
const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

const round = (value: number, digits = 1) => Number(value.toFixed(digits));
/** The processes that are Godot in production: the CPU-per-entry targets count all three. */
const GODOT = ['server', 'worker', 'redis'] as const;

async function main(): Promise<void> {
  if (flags.cluster) {
    progress('building (pnpm build)…');
    execFileSync('pnpm', ['build'], { stdio: 'ignore' });
    const ok = await runClusterBench({
      quick: flags.quick,
      json: flags.json,
      connections: Number(flags.connections),
      maxInFlight: Number(flags['in-flight']),
      pacedConnections: Number(flags['paced-connections']),
    });
    process.exitCode = ok ? 0 : 1;
    return;
  }
  const profileDir = flags.profile ? await mkdtemp(join(tmpdir(), 'godot-prof-')) : undefined;
  progress(`starting the stack${flags.quick ? ' (quick)' : ''}…`);
  const launched = Date.now();
  if (!flags.source) {
    progress('building (pnpm build)…');
    execFileSync('pnpm', ['build'], { stdio: 'ignore' });
  }
  const stack = await startBenchStack({ profileDir, compiled: !flags.source });
  const rss = new RssSampler(() => ({ server: stack.server.pid, worker: stack.worker.pid }));
  const phases: Phase[] = [];
  let results: Record<string, number>;
  let readBench: ReadBench;
  let ownLog: string[] = [];
  let redisStats = '';
  let profileSkipMs = 0;
  rss.sample();
  const idle = { server: rss.peak('server').sampledMaxMb, worker: rss.peak('worker').sampledMaxMb };
  try {
    const persistent = {
      connections: Number(flags.connections),
      maxInFlight: Number(flags['in-flight']),
    };
    const fleet = { connections: Number(flags['paced-connections']), pacing: 'poisson' } as const;
    phases.push(await runPhase(stack, 'warmup', { ...fleet, rate: 1000, durationMs: ms.warmup }));
    // Profiles leave out start-up and warm-up (module loading, JIT).
    profileSkipMs = Date.now() - launched;

    await resetRedisStats(stack.redis.port);
    const sustained = await runPhase(stack, 'sustained', {
      ...persistent,
      rate: 0, // closed loop (load-main turns 0 into Infinity)
      durationMs: ms.sustained,
    });
    phases.push(sustained);
    redisStats = await redisStatsTable(
      stack.redis.port,
      sustained.report.storedRows,
      'sustained closed loop',
    );

    await resetRedisStats(stack.redis.port);
    const steady = await runPhase(stack, 'steady', {
      ...fleet,
      rate: 1000,
      durationMs: ms.steady,
      recordTimings: true,
    });
    phases.push(steady);
    redisStats += `\n${await redisStatsTable(stack.redis.port, steady.report.storedRows, 'steady 1,000/s')}`;
    const delivery: number[] = [];
    steady.rows.messages.forEach((message, index) => {
      if (message.startsWith('bench-steady-')) {
        delivery.push((steady.rows.storedAt[index] ?? 0) - (steady.rows.createdAt[index] ?? 0));
      }
    });

    // The same again, with one logger_tail client following the window
    // (bench/read/tail-watcher.ts).
    await resetRedisStats(stack.redis.port);
    const tail = await TailWatcher.start(stack.serverUrl, 'bench-steady-tail-');
    const steadyTail = await runPhase(stack, 'steady-tail', {
      ...fleet,
      rate: 1000,
      durationMs: ms.steady,
      recordTimings: true,
    });
    await tail.stop(steadyTail.load.acknowledged);
    phases.push(steadyTail);
    redisStats += `\n${await redisStatsTable(stack.redis.port, steadyTail.report.storedRows, 'steady 1,000/s with a tail')}`;
    const tailSeen = steadyTail.load.acknowledged.filter((message) => tail.seen.has(message));
    progress(
      `steady-tail: ${tail.calls} logger_tail calls returned ${tailSeen.length} of ` +
        `${steadyTail.load.acknowledged.length} acknowledged entries` +
        `${tail.duplicates > 0 ? `, ${tail.duplicates} twice` : ''}${tail.missed > 0 ? `, missed ${tail.missed}` : ''}`,
    );

    const perLine = await runPhase(stack, 'per-line', { perLine: true, durationMs: ms.perLine });
    phases.push(perLine);

    // One @godot/client logger, as a Node service logs (docs/product.md#client-library).
    const client = await runPhase(stack, 'client', { client: true, count: ms.clientEntries });
    phases.push(client);
    rss.stop();

    // The read side over a full recent window, while ingest runs at 1,000/s
    // (bench/read/read-bench.ts).
    readBench = await runReadBench(stack, { ...read, fleet });
    phases.push(readBench.phase);

    const lost = phases.reduce((sum, phase) => sum + phase.report.lost.length, 0);
    results = {
      e2e_logs_per_s: e2eLogsPerSecond(sustained),
      ingest_logs_per_s: Math.round(
        sustained.load.acknowledged.length / (sustained.load.elapsedMs / 1000),
      ),
      log_p50_ms: round(percentile(steady.load.latenciesMs, 50), 2),
      log_p99_ms: round(percentile(steady.load.latenciesMs, 99), 2),
      log_p50_ms_at_1000: round(percentile(steady.load.latenciesMs, 50), 2),
      late_pct_at_1000: round((100 * steady.load.late) / Math.max(1, steady.load.sent), 1),
      entries_per_job_at_1000: round(entriesPerJob(steady), 2),
      steady_logs_per_s: Math.round(
        steady.load.acknowledged.length / (steady.load.elapsedMs / 1000),
      ),
      delivery_p50_ms: round(percentile(delivery, 50)),
      delivery_p99_ms: round(percentile(delivery, 99)),
      per_connection_logs_per_s: Math.round(
        perLine.load.acknowledged.length / (perLine.load.elapsedMs / 1000),
      ),
      cpu_ms_per_entry_at_1000: round(cpuMsPer(steady, GODOT, steady.report.storedRows), 3),
      cpu_ms_per_entry_saturated: round(cpuMsPer(sustained, GODOT, sustained.report.storedRows), 3),
      cpu_ms_per_entry_at_1000_tailing: round(
        cpuMsPer(steadyTail, GODOT, steadyTail.report.storedRows),
        3,
      ),
      tail_p50_ms: round(percentile(tail.latenciesMs, 50), 1),
      tail_p99_ms: round(percentile(tail.latenciesMs, 99), 1),
      // Floored, so that 99.999% never reads as 100.
      tail_seen_pct:
        tailSeen.length === steadyTail.load.acknowledged.length
          ? 100
          : Math.floor((10_000 * tailSeen.length) / steadyTail.load.acknowledged.length) / 100,
      server_cpu_ms_per_connection: round(
        cpuMsPer(perLine, ['server'], perLine.load.acknowledged.length),
        3,
      ),
      client_acked_logs_per_s: Math.round(
        client.load.acknowledged.length / (client.load.elapsedMs / 1000),
      ),
      server_rss_mb: round(Math.max(rss.peak('server').hwmMb, rss.peak('server').sampledMaxMb)),
      worker_rss_mb: round(Math.max(rss.peak('worker').hwmMb, rss.peak('worker').sampledMaxMb)),
      lost,
      duplicates: phases.reduce((sum, phase) => sum + phase.report.duplicates, 0),
      hung: phases.reduce((sum, phase) => sum + phase.load.hung, 0),
      ...readBench.results,
    };
    // At LOG_LEVEL=warn every line they wrote is a warning or an error.
    ownLog = [stack.server.log(), stack.worker.log()]
      .join('\n')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.includes('--- start'));
  } catch (error) {
    progress(`failed; recent process output:\n${stack.logs()}`);
    throw error;
  } finally {
    rss.stop();
    await stack.close();
  }

  const r = results;
  const table = resultsTable(results, {
    ...ms,
    pacedConnections: Number(flags['paced-connections']),
  });
  if (profileDir) {
    for (const name of ['server', 'worker']) {
      console.log(`CPU profile of the ${name}, after warm-up:`);
      console.log(await summarizeProfiles(join(profileDir, name), { skipMs: profileSkipMs }));
    }
    await rm(profileDir, { recursive: true, force: true });
  }
  console.log(cpuTable(phases));
  console.log(
    `idle RSS after start: server ${idle.server.toFixed(0)} MB, worker ${idle.worker.toFixed(0)} MB`,
  );
  console.log(redisStats);
  console.log(readTable(readBench.rows, r.read_window_entries ?? Number.NaN));
  console.log(table);
  progress(
    ownLog.length === 0
      ? 'server and worker logged no warning or error'
      : `server and worker logged ${ownLog.length} line(s) at warn or above, the last ones:\n${ownLog.slice(-20).join('\n')}`,
  );
  if (flags.json) console.log(JSON.stringify({ ...results, quick: flags.quick }));
  process.exitCode = r.lost === 0 && r.hung === 0 && r.tail_seen_pct === 100 ? 0 : 1;
}

await main();
