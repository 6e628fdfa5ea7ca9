import { checkDelivery, type DeliveryReport } from '../test/support/delivery-check.js';
import type { LoadGeneratorOptions } from '../test/support/load-generator.js';
import type { BenchStack, TakenRows } from './bench-stack.js';
import type { LoadOutput } from './load-main.js';
import { cpuSnapshot, machineCpuSeconds, RssSampler } from './proc-stats.js';

const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);

/** A finished phase: what the load process saw and what reached the emulator. */
export interface Phase {
  name: string;
  load: LoadOutput;
  rows: TakenRows;
  report: DeliveryReport;
  /** CPU seconds each process used from the start of the load until everything was stored. */
  cpu: Record<string, number>;
  /** Wall seconds of the same span. */
  wallSeconds: number;
  /** Highest VmRSS sampled during the phase, MB. */
  rssMb: Record<string, number>;
  /** BullMQ jobs added over the same span (NaN when Redis did not say). */
  jobs: number;
}

/** Entries stored per BullMQ job added during `phase`: how many entries one job's cost is spread over. */
export function entriesPerJob(phase: Phase): number {
  return phase.jobs > 0 ? phase.report.storedRows / phase.jobs : Number.NaN;
}

/**
 * CPU milliseconds the named processes used during `phase`, per `count` items
 * (entries stored, log lines acknowledged, …): the hot-path cost the targets
 * are set in (docs/product.md#performance-targets). NaN when `count` is 0 or a process has no
 * figure, so a missing measurement never reads as a cheap one.
 */
export function cpuMsPer(phase: Phase, processes: readonly string[], count: number): number {
  const seconds = processes.reduce((sum, name) => sum + (phase.cpu[name] ?? Number.NaN), 0);
  return count > 0 ? (seconds * 1000) / count : Number.NaN;
}

/**
 * End-to-end logs/s of a closed-loop phase: rows stored, over the time from
 * the load's start until the last of them was stored.
 */
export function e2eLogsPerSecond(phase: Phase): number {
  const lastStored = phase.rows.storedAt.reduce((a, b) => Math.max(a, b), 0);
  return Math.round(phase.report.storedRows / ((lastStored - phase.load.startedAt) / 1000));
}

/**
 * Runs one load process (persistent sockets or socket per line), waits until
 * its acknowledged entries are stored (or stop arriving), and checks that
 * nothing acknowledged is missing. Messages carry the prefix `bench-<name>-`.
 */
export async function runPhase(
  stack: BenchStack,
  name: string,
  options:
    | Omit<LoadGeneratorOptions, 'url' | 'prefix'>
    | { perLine: true; durationMs: number }
    | { client: true; count: number },
): Promise<Phase> {
  progress(`${name}…`);
  const prefix = `bench-${name}`;
  const pids = () => ({
    server: stack.server.pid,
    worker: stack.worker.pid,
    emulator: stack.emulator.pid,
    ...Object.fromEntries(stack.redisNodes.map((node, index) => [`redis-${index}`, node.pid])),
  });
  // Read before the CPU snapshot (and after the last one): the bench's own reads are not the phase's.
  const jobsBefore = await stack.jobsAdded().catch(() => Number.NaN);
  const cpuBefore = cpuSnapshot(pids());
  const machineBefore = machineCpuSeconds();
  const rss = new RssSampler(() => ({ server: stack.server.pid, worker: stack.worker.pid }));
  const started = performance.now();
  const load =
    'perLine' in options
      ? await stack.runLoad({
          kind: 'per-line',
          options: { url: stack.serverUrl, prefix, durationMs: options.durationMs, loops: 8 },
        })
      : 'client' in options
        ? await stack.runLoad({
            kind: 'client',
            options: { url: stack.serverUrl, prefix, count: options.count },
          })
        : await stack.runLoad({
            kind: 'persistent',
            options: { ...options, url: stack.serverUrl, prefix },
          });
  // Collect stored rows until every acknowledged entry is among them, or
  // until nothing new arrives for 15 s (then the report names what is lost).
  const rows: TakenRows = { messages: [], storedAt: [], createdAt: [] };
  const expected = new Set(load.acknowledged);
  let lastChange = Date.now();
  while (expected.size > 0) {
    const more = await stack.take();
    // concat, not push(...): a take can hold 100,000+ rows, beyond the argument limit.
    rows.messages = rows.messages.concat(more.messages);
    rows.storedAt = rows.storedAt.concat(more.storedAt);
    rows.createdAt = rows.createdAt.concat(more.createdAt);
    for (const message of more.messages) expected.delete(message);
    if (more.messages.length > 0) lastChange = Date.now();
    else if (Date.now() - lastChange > 15_000) break;
    if (expected.size > 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuAfter = cpuSnapshot(pids());
  const machine = machineCpuSeconds() - machineBefore;
  rss.stop();
  const jobs = (await stack.jobsAdded().catch(() => Number.NaN)) - jobsBefore;
  const rssMb = {
    server: rss.peak('server').sampledMaxMb,
    worker: rss.peak('worker').sampledMaxMb,
  };
  const cpu: Record<string, number> = { load: load.cpuSeconds };
  for (const [process, seconds] of Object.entries(cpuAfter)) {
    // Every redis-server (a cluster's masters) counts as `redis`.
    const name = process.startsWith('redis-') ? 'redis' : process;
    cpu[name] = (cpu[name] ?? 0) + seconds - (cpuBefore[process] ?? Number.NaN);
  }
  // Everything else the machine did meanwhile (other jobs, the kernel, this script).
  // Clamped at 0: /proc/stat and per-process counters tick separately (±10 ms).
  cpu.others = Math.max(0, machine - Object.values(cpu).reduce((sum, seconds) => sum + seconds, 0));
  const mine = rows.messages.filter((message) => message.startsWith(`${prefix}-`));
  const report = checkDelivery(load.acknowledged, mine);
  progress(
    `${name}: sent ${load.sent}${load.late > 0 ? ` (late ${load.late}, at most ${load.maxLateMs.toFixed(1)} ms)` : ''}` +
      `${load.notSent > 0 ? `, not sent ${load.notSent}` : ''}, ` +
      `acknowledged ${load.acknowledged.length}, refused ${load.refused}` +
      `${load.refusedSample.length > 0 ? ` (${load.refusedSample[0]})` : ''}, hung ${load.hung}, ` +
      `stored ${report.storedRows} in ${jobs} jobs, lost ${report.lost.length}, duplicates ${report.duplicates}`,
  );
  return { name, load, rows, report, cpu, wallSeconds, rssMb, jobs };
}
