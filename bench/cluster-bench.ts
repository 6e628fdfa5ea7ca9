import { cpuTable } from './bench-report.js';
import { type BenchStackOptions, startBenchStack } from './bench-stack.js';
import { cpuMsPer, e2eLogsPerSecond, type Phase, runPhase } from './run-phase.js';
import { formatColumns } from './stats.js';

const progress = (text: string) => process.stderr.write(`bench: ${text}\n`);
const GODOT = ['server', 'worker', 'redis'] as const;

/** One deployment the cluster bench measures. */
interface Setup {
  label: string;
  key: string;
  stack: Pick<BenchStackOptions, 'cluster'>;
}

const SETUPS: readonly Setup[] = [
  { label: 'one Redis (reference)', key: 'single', stack: {} },
  {
    label: 'cluster, 3 masters, 1 shard',
    key: 'cluster_1_shard',
    stack: { cluster: { shards: 1 } },
  },
  {
    label: 'cluster, 3 masters, 3 shards',
    key: 'cluster_3_shards',
    stack: { cluster: { shards: 3 } },
  },
];

/** The figures of one setup. */
interface SetupResult {
  e2e_logs_per_s: number;
  cpu_ms_per_entry_saturated: number;
  cpu_ms_per_entry_at_1000: number;
  server_cpu_ms_per_entry: number;
  worker_cpu_ms_per_entry: number;
  redis_cpu_ms_per_entry: number;
  lost: number;
}

/**
 * `pnpm bench --cluster`: one server and one worker (compiled, default
 * settings) end to end into the emulator, on one Redis, then on a private
 * 3-master Redis Cluster with QUEUE_SHARDS=1 and with 3
 * (docs/product.md#shards-and-redis-cluster). Each setup runs a warm-up, a
 * closed loop (end-to-end logs/s and CPU per entry) and 1,000 logs/s (CPU
 * per entry), warm-up and 1,000/s paced as a fleet (`pacedConnections`
 * sockets, Poisson: bench/run.ts). Every process shares the machine's
 * cores, so on 2 cores this shows the cost of the cluster path, not a
 * speed-up. Returns false when an acknowledged entry was lost.
 */
export async function runClusterBench(options: {
  quick: boolean;
  json: boolean;
  connections: number;
  maxInFlight: number;
  pacedConnections: number;
}): Promise<boolean> {
  const ms = options.quick
    ? { warmup: 1000, sustained: 5000, steady: 5000 }
    : { warmup: 3000, sustained: 20_000, steady: 30_000 };
  const results: Record<string, SetupResult> = {};
  const allPhases: Phase[] = [];
  for (const setup of SETUPS) {
    progress(`${setup.label}: starting…`);
    const stack = await startBenchStack({ compiled: true, ...setup.stack });
    try {
      const fleet = { connections: options.pacedConnections, pacing: 'poisson' } as const;
      await runPhase(stack, `${setup.key}-warmup`, { ...fleet, rate: 1000, durationMs: ms.warmup });
      const sustained = await runPhase(stack, `${setup.key}-sustained`, {
        connections: options.connections,
        maxInFlight: options.maxInFlight,
        rate: 0, // closed loop
        durationMs: ms.sustained,
      });
      const steady = await runPhase(stack, `${setup.key}-steady`, {
        ...fleet,
        rate: 1000,
        durationMs: ms.steady,
      });
      allPhases.push(sustained, steady);
      const stored = sustained.report.storedRows;
      const round = (value: number) => Number(value.toFixed(3));
      results[setup.key] = {
        e2e_logs_per_s: e2eLogsPerSecond(sustained),
        cpu_ms_per_entry_saturated: round(cpuMsPer(sustained, GODOT, stored)),
        cpu_ms_per_entry_at_1000: round(cpuMsPer(steady, GODOT, steady.report.storedRows)),
        server_cpu_ms_per_entry: round(cpuMsPer(sustained, ['server'], stored)),
        worker_cpu_ms_per_entry: round(cpuMsPer(sustained, ['worker'], stored)),
        redis_cpu_ms_per_entry: round(cpuMsPer(sustained, ['redis'], stored)),
        lost: sustained.report.lost.length + steady.report.lost.length,
      };
    } catch (error) {
      progress(`failed; recent process output:\n${stack.logs()}`);
      throw error;
    } finally {
      await stack.close();
    }
  }
  console.log(cpuTable(allPhases));
  console.log(
    `Redis Cluster bench (${options.quick ? 'quick' : 'full'}: closed loop ${ms.sustained / 1000} s, then 1,000/s for ${ms.steady / 1000} s; one server, one worker):`,
  );
  console.log(
    formatColumns(
      [
        'setup',
        'e2e logs/s',
        'CPU ms/entry closed loop',
        'server',
        'worker',
        'redis',
        'CPU ms/entry at 1,000/s',
        'lost',
      ],
      SETUPS.map((setup) => {
        const r = results[setup.key] as SetupResult;
        return [
          setup.label,
          String(r.e2e_logs_per_s),
          r.cpu_ms_per_entry_saturated.toFixed(3),
          r.server_cpu_ms_per_entry.toFixed(3),
          r.worker_cpu_ms_per_entry.toFixed(3),
          r.redis_cpu_ms_per_entry.toFixed(3),
          r.cpu_ms_per_entry_at_1000.toFixed(3),
          String(r.lost),
        ];
      }),
    ),
  );
  if (options.json) console.log(JSON.stringify({ cluster: results, quick: options.quick }));
  return Object.values(results).every((r) => r.lost === 0);
}
