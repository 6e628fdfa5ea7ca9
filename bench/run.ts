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
 *  c. one WebSocket per log line (connect, initialize, call, close) in 8 loops
 *     → logs/s (information only) and server CPU per line;
 *  d. peak RSS of server and worker (/proc VmRSS every 200 ms, and VmHWM).
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
 * and, for phase b, `entries_per_job_at_1000` (entries stored ÷ BullMQ jobs
 * added) and `late_pct_at_1000` (percent of its calls sent late).
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
import { cpuTable, resultsTable } from './bench-report.js';
import { startBenchStack } from './bench-stack.js';
import { runClusterBench } from './cluster-bench.js';
import { RssSampler } from './proc-stats.js';
import { summarizeProfiles } from './profile-summary.js';
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

    const perLine = await runPhase(stack, 'per-line', { perLine: true, durationMs: ms.perLine });
    phases.push(perLine);

    // One @godot/client logger, as a Node service logs (docs/product.md#client-library).
    const client = await runPhase(stack, 'client', { client: true, count: ms.clientEntries });
    phases.push(client);
    rss.stop();

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
    };
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
  console.log(table);
  if (flags.json) console.log(JSON.stringify({ ...results, quick: flags.quick }));
  process.exitCode = r.lost === 0 && r.hung === 0 ? 0 : 1;
}

await main();
