import { availableParallelism } from 'node:os';
import { cpuMsPer, entriesPerJob, type Phase } from './run-phase.js';
import { formatColumns, formatResults } from './stats.js';

const PROCESSES = ['server', 'worker', 'redis', 'emulator', 'load', 'others'] as const;

/**
 * Where the CPU went, per phase: CPU milliseconds per stored entry for each
 * process ("others": the rest of the machine, e.g. another job running at the
 * same time, which makes the phase's numbers pessimistic), and how busy the
 * machine was (all CPU over wall time × cores), and how many entries each
 * BullMQ job carried. Near 100% busy means CPU-bound.
 */
export function cpuTable(phases: readonly Phase[]): string {
  const cores = availableParallelism();
  return `CPU ms per stored entry (from the load's start until all stored; ${cores} cores):\n${formatColumns(
    ['phase', 'entries', 'entries/job', 'wall s', ...PROCESSES, 'busy', 'server MB', 'worker MB'],
    phases.map((phase) => {
      const entries = Math.max(1, phase.report.storedRows);
      const total = PROCESSES.reduce((sum, name) => sum + (phase.cpu[name] ?? 0), 0);
      return [
        phase.name,
        String(phase.report.storedRows),
        entriesPerJob(phase).toFixed(1),
        phase.wallSeconds.toFixed(1),
        ...PROCESSES.map((name) => cpuMsPer(phase, [name], entries).toFixed(3)),
        `${((100 * total) / (phase.wallSeconds * cores)).toFixed(0)}%`,
        (phase.rssMb.server ?? Number.NaN).toFixed(0),
        (phase.rssMb.worker ?? Number.NaN).toFixed(0),
      ];
    }),
  )}`;
}

/** One read call of the read table. */
export interface ReadRow {
  /** The tool and its arguments. */
  call: string;
  /** Calls made while ingest ran at 1,000/s, and their round trips; absent when only its size was taken. */
  calls?: number;
  p50?: number;
  p99?: number;
  /** The answer's text, bytes; absent for a call that is not a read. */
  bytes?: number;
  /** With the default `max_bytes`: held to the answer-size target. @default false */
  budgeted?: boolean;
}

/** The size a read answer for an assistant should keep to by default (docs/product.md#performance-targets). */
const ANSWER_TARGET_BYTES = 32 * 1024;

/**
 * The read tools over a full recent window while ingest runs at 1,000/s:
 * each call's round trip, and its answer's size next to the target.
 */
export function readTable(rows: readonly ReadRow[], windowEntries: number): string {
  const ms = (value: number | undefined) => (value === undefined ? '' : value.toFixed(1));
  const table = formatColumns(
    ['call', 'calls', 'p50 ms', 'p99 ms', 'answer bytes', 'target', ''],
    rows.map((row) => [
      row.call,
      row.calls === undefined ? '' : String(row.calls),
      ms(row.p50),
      ms(row.p99),
      row.bytes === undefined ? '' : String(row.bytes),
      row.bytes === undefined ? '' : row.budgeted ? '≤ 32 KB' : '— (info)',
      row.budgeted && row.bytes !== undefined
        ? row.bytes <= ANSWER_TARGET_BYTES
          ? 'ok'
          : 'MISSED'
        : '',
    ]),
  );
  return `Read tools over the recent window (${windowEntries} entries) at 1,000 logs/s, one call at a time:
${table}
(answer sizes: once each, right after the fill, over its entries; logger_tail from the fill's start)`;
}

/** Phase lengths in ms, for the row labels. */
export interface PhaseDurations {
  sustained: number;
  steady: number;
  perLine: number;
  /** Sockets of the paced phases. */
  pacedConnections: number;
}

/** Each measured number next to its target (docs/product.md#performance-targets). */
export function resultsTable(results: Record<string, number>, ms: PhaseDurations): string {
  const r = results;
  const atMost = (value: number | undefined, limit: number) => (value ?? Number.NaN) <= limit;
  return formatResults([
    {
      what: `sustained end-to-end, ${ms.sustained / 1000} s closed loop`,
      measured: `${r.e2e_logs_per_s} logs/s (ingest ${r.ingest_logs_per_s}/s)`,
      target: '≥ 15,000 logs/s into the emulator',
      met: (r.e2e_logs_per_s ?? 0) >= 15_000,
    },
    {
      what: 'CPU ms per entry, server + worker + Redis, closed loop',
      measured: `${r.cpu_ms_per_entry_saturated} ms`,
      target: '≤ 0.10 ms',
      met: atMost(r.cpu_ms_per_entry_saturated, 0.1),
    },
    {
      what: `logger_log round trip at 1,000/s, ${ms.steady / 1000} s, ${ms.pacedConnections} sockets, Poisson`,
      measured: `p50 ${r.log_p50_ms_at_1000} ms, p99 ${r.log_p99_ms} ms`,
      target: 'p99 ≤ 5 ms',
      met: atMost(r.log_p99_ms, 5),
    },
    {
      what: 'queued → stored at 1,000/s',
      measured: `p50 ${r.delivery_p50_ms} ms, p99 ${r.delivery_p99_ms} ms`,
      target: 'p99 ≤ 250 ms',
      met: atMost(r.delivery_p99_ms, 250),
    },
    {
      // A call due while its socket's previous one is unanswered waits for that
      // reply: many late calls mean the load was not the rate asked for.
      what: 'paced calls at 1,000/s sent late (previous call unanswered)',
      measured: `${r.late_pct_at_1000}%`,
      target: '— (info)',
    },
    {
      what: 'entries per BullMQ job at 1,000/s',
      measured: `${r.entries_per_job_at_1000}`,
      target: '— (info)',
    },
    {
      what: 'CPU ms per entry, server + worker + Redis, at 1,000/s',
      measured: `${r.cpu_ms_per_entry_at_1000} ms`,
      target: '≤ 0.25 ms',
      met: atMost(r.cpu_ms_per_entry_at_1000, 0.25),
    },
    {
      what: `the same with one logger_tail client following, ${ms.steady / 1000} s`,
      measured: `${r.cpu_ms_per_entry_at_1000_tailing} ms`,
      target: '— (info)',
    },
    {
      // created_at is stamped on receipt, a few ms before the ack: an upper bound.
      what: 'acknowledged → returned by logger_tail at 1,000/s (same server)',
      measured: `p50 ${r.tail_p50_ms} ms, p99 ${r.tail_p99_ms} ms`,
      target: 'p99 ≤ 1 s',
      met: atMost(r.tail_p99_ms, 1000),
    },
    {
      what: 'acknowledged entries the tail returned',
      measured: `${r.tail_seen_pct}%`,
      target: '100%',
      met: r.tail_seen_pct === 100,
    },
    {
      what: `one WebSocket per log line, 8 loops, ${ms.perLine / 1000} s: server CPU per log`,
      measured: `${r.server_cpu_ms_per_connection} ms`,
      target: '≤ 0.5 ms',
      met: atMost(r.server_cpu_ms_per_connection, 0.5),
    },
    {
      // The targets set no rate for this phase (its CPU per log above is the
      // target); the rate stays as information, with no pass/fail.
      what: 'one WebSocket per log line: rate',
      measured: `${r.per_connection_logs_per_s} logs/s`,
      target: '— (info)',
    },
    {
      what: 'one @godot/client logger, entries acknowledged',
      measured: `${r.client_acked_logs_per_s} logs/s`,
      target: '≥ 10,000 logs/s',
      met: (r.client_acked_logs_per_s ?? 0) >= 10_000,
    },
    {
      what: 'server peak RSS',
      measured: `${r.server_rss_mb} MB`,
      target: '≤ 100 MB',
      met: atMost(r.server_rss_mb, 100),
    },
    {
      what: 'worker peak RSS',
      measured: `${r.worker_rss_mb} MB`,
      target: '≤ 80 MB',
      met: atMost(r.worker_rss_mb, 80),
    },
    {
      what: 'acknowledged but not stored (all phases)',
      measured: `${r.lost} (duplicates ${r.duplicates}, hung calls ${r.hung})`,
      target: '0',
      met: r.lost === 0 && r.hung === 0,
    },
  ]);
}
