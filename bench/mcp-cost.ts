/**
 * `node --conditions=godot-source --import tsx bench/mcp-cost.ts [options]`:
 * the server's CPU cost of its MCP layer, per connection and per call.
 *
 * Starts a private redis-server, the Dewey emulator (in this process), and
 * Godot's server and worker as child processes (compiled `dist/` as
 * production runs them; build first, or pass `--source`). Then, `--runs`
 * times: (a) `--lines` socket-per-line logs in 8 loops (connect, initialize,
 * `tools/call logger_log`, close), (b) `--calls` `logger_log` calls over
 * `--sockets` persistent sockets, one call in flight per socket. For each it
 * reports the server child's CPU ms (user + system, /proc/<pid>/stat) per
 * operation: CPU time, not wall time, since the machine is shared. The first
 * run warms the JIT and is not counted; the median of the others is printed,
 * with server and worker RSS idle (before any load) and peak (VmHWM).
 *
 * Options: `--runs 5`, `--lines 2000`, `--calls 5000` (0 skips a phase), `--sockets 8`,
 * `--source`, `--profile <dir>` (server under `--cpu-prof`), `--json`.
 * `BENCH_NODE_ARGS` adds node flags to server and worker.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { DeweyEmulator, freePort, RedisServer } from '@godot/testkit';
import { GodotProcess } from '../test/support/godot-process.js';
import { McpWsClient, readLogReply } from '../test/support/mcp-ws-client.js';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    lines: { type: 'string', default: '2000' },
    calls: { type: 'string', default: '5000' },
    sockets: { type: 'string', default: '8' },
    source: { type: 'boolean', default: false },
    profile: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const runs = Number(flags.runs);
const lines = Number(flags.lines);
const calls = Number(flags.calls);
const socketCount = Number(flags.sockets);

/** CPU seconds (user + system) of a process so far: fields 14 and 15 of /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A /proc/<pid>/status memory field in MB. */
function memMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return Number(match?.[1] ?? Number.NaN) / 1024;
}

/** The median (the upper one of an even count: runs are few, and noise only adds CPU). */
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

const entry = (message: string) => ({
  component: 'mcp-cost',
  level: 'INFO',
  message,
  trace_id: null,
  data: null,
});

/** Fails the bench on any reply that is not an acknowledgement: a cheap path that drops logs is no win. */
function expectAck(outcome: Awaited<ReturnType<McpWsClient['callTool']>>): void {
  if (outcome.kind !== 'reply') throw new Error(`logger_log: ${outcome.kind}`);
  const read = readLogReply(outcome.reply);
  if (read.kind !== 'acknowledged') throw new Error(`logger_log: ${JSON.stringify(read)}`);
}

/** (a) One WebSocket per log line, in 8 concurrent loops. */
async function socketPerLine(url: string, total: number): Promise<void> {
  let next = 0;
  const loop = async () => {
    while (next < total) {
      const n = next++;
      const client = await McpWsClient.connect(url);
      try {
        const init = await client.initialize();
        if (init.kind !== 'reply' || init.reply.error) throw new Error('initialize failed');
        expectAck(await client.callTool('logger_log', entry(`line-${n}`)));
      } finally {
        await client.close();
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, loop));
}

/** (b) `total` calls spread over persistent sockets, one in flight per socket. */
async function persistentCalls(clients: McpWsClient[], total: number): Promise<void> {
  let next = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < total) expectAck(await client.callTool('logger_log', entry(`call-${next++}`)));
    }),
  );
}

/** Server CPU ms per operation of `work`, once the server has settled. */
async function measure(pid: number, operations: number, work: () => Promise<void>) {
  await sleep(200);
  const before = cpuSeconds(pid);
  await work();
  await sleep(200); // closing handshakes and the last flush
  return ((cpuSeconds(pid) - before) * 1000) / operations;
}

async function main(): Promise<void> {
  const [redis, dewey, port, workerPort] = await Promise.all([
    RedisServer.start(),
    DeweyEmulator.start({ host: '127.0.0.1' }),
    freePort(),
    freePort(),
  ]);
  dewey.onStore(() => dewey.clear()); // rows only cost the emulator memory
  const env = {
    REDIS_URL: redis.url,
    DEWEY_URL: dewey.url,
    QUEUE_NAME: `mcp-cost-${randomUUID().slice(0, 8)}`,
    HOST: '127.0.0.1',
    PORT: String(port),
    WORKER_HOST: '127.0.0.1',
    WORKER_PORT: String(workerPort),
    LOG_LEVEL: 'warn',
  };
  const main = (name: string) =>
    flags.source ? `packages/${name}/src/main.ts` : `packages/${name}/dist/main.js`;
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const [server, worker] = await Promise.all([
    GodotProcess.start({
      name: 'server',
      main: main('server'),
      env,
      nodeArgs: flags.profile
        ? [...nodeArgs, '--cpu-prof', `--cpu-prof-dir=${flags.profile}`]
        : nodeArgs,
      readyUrl: `http://127.0.0.1:${port}/metrics`,
    }),
    GodotProcess.start({
      name: 'worker',
      main: main('worker'),
      env,
      nodeArgs,
      readyUrl: `http://127.0.0.1:${workerPort}/metrics`,
    }),
  ]);
  const url = `ws://127.0.0.1:${port}/`;
  const serverPid = server.pid as number;
  const workerPid = worker.pid as number;
  try {
    await sleep(2000);
    const idle = { server: memMb(serverPid, 'VmRSS'), worker: memMb(workerPid, 'VmRSS') };
    const perLine: number[] = [];
    const perCall: number[] = [];
    for (let run = 0; run <= runs; run++) {
      const line = lines ? await measure(serverPid, lines, () => socketPerLine(url, lines)) : 0;
      const clients = await Promise.all(
        Array.from({ length: socketCount }, () => McpWsClient.connect(url)),
      );
      await Promise.all(clients.map((client) => client.initialize()));
      const call = calls
        ? await measure(serverPid, calls, () => persistentCalls(clients, calls))
        : 0;
      await Promise.all(clients.map((client) => client.close()));
      process.stderr.write(
        `run ${run}${run === 0 ? ' (warm-up)' : ''}: ${line.toFixed(3)} ms/line, ${call.toFixed(3)} ms/call\n`,
      );
      if (run > 0) {
        perLine.push(line);
        perCall.push(call);
      }
    }
    const result = {
      server_cpu_ms_per_socket_line: Number(median(perLine).toFixed(3)),
      server_cpu_ms_per_persistent_call: Number(median(perCall).toFixed(3)),
      server_rss_idle_mb: Number(idle.server.toFixed(1)),
      server_rss_peak_mb: Number(memMb(serverPid, 'VmHWM').toFixed(1)),
      worker_rss_idle_mb: Number(idle.worker.toFixed(1)),
      worker_rss_peak_mb: Number(memMb(workerPid, 'VmHWM').toFixed(1)),
    };
    if (flags.json) console.log(JSON.stringify(result));
    else
      for (const [key, value] of Object.entries(result)) console.log(`${key.padEnd(36)} ${value}`);
  } finally {
    await Promise.all([server.terminate(), worker.terminate()]);
    await Promise.allSettled([dewey.close(), redis.close()]);
  }
}

await main();
