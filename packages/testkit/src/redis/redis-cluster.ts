import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { CLUSTER_BUS_PORT_OFFSET, freeClusterPort, portsFree } from '../free-port.js';
import { RedisServer } from './redis-server.js';
import { withRedis } from './with-redis.js';

/** Options of {@link RedisCluster.start}. */
export interface RedisClusterOptions {
  /** Masters, no replicas; `redis-cli --cluster create` wants at least 3. @default 3 */
  masters?: number;
  /** Turn the append-only file on for every node. @default false */
  appendonly?: boolean;
  /** AOF fsync policy of every node. @default 'everysec' */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** More `--name value` arguments for every redis-server (after ours, so they win). @default [] */
  extraArgs?: string[];
  /** Bound on start (nodes, create, healthy) and on each later health wait. @default 30_000 */
  startTimeoutMs?: number;
  /** Executable that creates the cluster. @default 'redis-cli' */
  cliBinary?: string;
}

/** Thrown when the redis-cli executable cannot be found. */
export const REDIS_CLI_NOT_FOUND_MESSAGE =
  'redis-cli not found on PATH: install it with `apt-get install -y redis-tools` (Debian/Ubuntu) or `brew install redis`';

// A short node timeout so a killed node is noticed, and forgiven, within
// seconds; require-full-coverage stays at its default (yes), as in production.
const CLUSTER_ARGS = [
  ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
  ...['--cluster-node-timeout', '2000'],
];
const SLOT_COUNT = 16_384;
const PORT_ATTEMPTS = 3;
const POLL_MS = 50;

const execFileAsync = promisify(execFile);

/**
 * A private Redis Cluster for one test file: N masters without replicas, each
 * a {@link RedisServer} on 127.0.0.1 with its own port (bus on port + 10000)
 * and data directory, joined by `redis-cli --cluster create`. Nodes can be
 * SIGKILLed and restarted on the same port and directory, so tests can check
 * that a master rejoins from its nodes.conf and keeps its AOF data.
 */
export class RedisCluster {
  /** One per master, in port order (node 0 owns the lowest slots). */
  readonly nodes: readonly RedisServer[];
  readonly #timeoutMs: number;

  private constructor(nodes: readonly RedisServer[], timeoutMs: number) {
    this.nodes = nodes;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Starts the nodes, creates the cluster and resolves once every node reports
   * `cluster_state:ok` with all 16384 slots assigned and reachable.
   */
  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const o = {
      masters: 3,
      appendonly: false,
      appendfsync: 'everysec' as const,
      extraArgs: [],
      startTimeoutMs: 30_000,
      cliBinary: 'redis-cli',
      ...options,
    };
    if (!Number.isInteger(o.masters) || o.masters < 3) {
      throw new RangeError(`RedisCluster needs at least 3 masters, got ${o.masters}`);
    }
    const deadline = Date.now() + o.startTimeoutMs;
    await checkCli(o.cliBinary);
    const nodes: RedisServer[] = [];
    try {
      const serverOptions = {
        appendonly: o.appendonly,
        appendfsync: o.appendfsync,
        startTimeoutMs: o.startTimeoutMs,
        extraArgs: [...CLUSTER_ARGS, ...o.extraArgs],
      };
      // One at a time: a running node holds its pair, so the next pick avoids it.
      for (let i = 0; i < o.masters; i++) nodes.push(await startNode(serverOptions));
      nodes.sort((a, b) => a.port - b.port);
      await createCluster(o.cliBinary, nodes, deadline - Date.now());
      const cluster = new RedisCluster(nodes, o.startTimeoutMs);
      await cluster.waitUntilHealthy(deadline - Date.now());
      return cluster;
    } catch (error) {
      await Promise.all(nodes.map((node) => node.cleanup()));
      throw error;
    }
  }

  /** `redis://127.0.0.1:<port>` of every node, comma-separated (what REDIS_URL carries). */
  get seeds(): string {
    return this.urls.join(',');
  }

  /** `redis://127.0.0.1:<port>` of every node, in node order. */
  get urls(): string[] {
    return this.nodes.map((node) => node.url);
  }

  /** Index of the node whose slot range holds `key`, as Redis computes it. */
  async nodeOfKey(key: string): Promise<number> {
    const { slot, ranges } = await withRedis(this.#anyRunningPort(), async (redis) => ({
      slot: await redis.cluster('KEYSLOT', key),
      // [[start, end, [ip, port, id], ...replicas], ...]. Deprecated in 7.0 for
      // CLUSTER SHARDS, but simpler and still what ioredis reads.
      ranges: await redis.cluster('SLOTS'),
    }));
    for (const [start, end, master] of ranges) {
      if (slot < start || slot > end) continue;
      const index = this.nodes.findIndex((node) => node.port === Number(master?.[1]));
      if (index >= 0) return index;
    }
    throw new Error(`no node of this cluster serves slot ${slot} of ${JSON.stringify(key)}`);
  }

  /** Keys matching a SCAN pattern, per node (sorted): `result[i]` lives on node `i`. */
  keysByNode(pattern: string): Promise<string[][]> {
    return Promise.all(this.nodes.map((node) => scanKeys(node.port, pattern)));
  }

  /** Crashes node `index` with SIGKILL. */
  async kill(index: number): Promise<void> {
    await this.#node(index).kill();
  }

  /**
   * Starts node `index` again on its port and directory (nodes.conf and AOF
   * kept) and waits until the whole cluster is healthy again.
   */
  async restart(index: number): Promise<void> {
    await this.#node(index).restart();
    await this.waitUntilHealthy();
  }

  /**
   * Resolves once every node reports `cluster_state:ok`, all 16384 slots
   * assigned and ok (no owner PFAIL or FAIL), and knows every node.
   */
  async waitUntilHealthy(timeoutMs = this.#timeoutMs): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const infos = await Promise.all(this.nodes.map((node) => clusterInfo(node.port)));
      if (infos.every((info) => isHealthy(info, this.nodes.length))) return;
      if (Date.now() > deadline) {
        const states = infos.map((info, i) => `  ${this.nodes[i]?.port}: ${describeInfo(info)}`);
        throw new Error(`Redis Cluster not healthy within ${timeoutMs} ms:\n${states.join('\n')}`);
      }
      await sleep(POLL_MS);
    }
  }

  /** Stops every node and removes their directories. */
  async close(): Promise<void> {
    await Promise.all(this.nodes.map((node) => node.cleanup()));
  }

  #node(index: number): RedisServer {
    const node = this.nodes[index];
    if (!node) throw new RangeError(`no node ${index}: the cluster has ${this.nodes.length}`);
    return node;
  }

  #anyRunningPort(): number {
    const node = this.nodes.find((n) => n.running);
    if (!node) throw new Error('no node of the cluster is running');
    return node.port;
  }
}

async function checkCli(binary: string): Promise<void> {
  try {
    await execFileAsync(binary, ['--version'], { timeout: 5_000 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(REDIS_CLI_NOT_FOUND_MESSAGE, { cause: error });
    }
    throw error;
  }
}

type ServerOptions = Pick<
  Required<RedisClusterOptions>,
  'appendonly' | 'appendfsync' | 'startTimeoutMs' | 'extraArgs'
>;

async function startNode(options: ServerOptions): Promise<RedisServer> {
  for (let attempt = 1; ; attempt++) {
    const port = await freeClusterPort();
    try {
      return await RedisServer.start({ ...options, port });
    } catch (error) {
      // Another process may have taken the port or its bus port since we
      // checked: probe them again rather than read redis-server's log text.
      const raced = !(await portsFree([port, port + CLUSTER_BUS_PORT_OFFSET]));
      if (raced && attempt < PORT_ATTEMPTS) continue;
      throw error;
    }
  }
}

async function createCluster(
  binary: string,
  nodes: readonly RedisServer[],
  timeoutMs: number,
): Promise<void> {
  const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
  const args = ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'];
  try {
    // TERM=dumb: redis-cli colours its --cluster output on xterm-like terminals.
    await execFileAsync(binary, args, {
      timeout: Math.max(timeoutMs, 1),
      env: { ...process.env, TERM: 'dumb' },
    });
  } catch (error) {
    const e = error as Error & { killed?: boolean; stdout?: string; stderr?: string };
    const why = e.killed ? `timed out after ${timeoutMs} ms` : e.message.split('\n')[0];
    throw new Error(
      `${binary} --cluster create failed (${why}):\n${e.stdout ?? ''}${e.stderr ?? ''}`,
      { cause: error },
    );
  }
}

type ClusterInfo = Record<string, string> | Error;

async function clusterInfo(port: number): Promise<ClusterInfo> {
  try {
    const text = await withRedis(port, (redis) => redis.cluster('INFO'), { timeoutMs: 500 });
    const fields: Record<string, string> = {};
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
    }
    return fields;
  } catch (error) {
    return error as Error;
  }
}

function isHealthy(info: ClusterInfo, nodeCount: number): boolean {
  if (info instanceof Error) return false;
  return (
    info.cluster_state === 'ok' &&
    info.cluster_slots_assigned === String(SLOT_COUNT) &&
    info.cluster_slots_ok === String(SLOT_COUNT) &&
    info.cluster_known_nodes === String(nodeCount)
  );
}

function describeInfo(info: ClusterInfo): string {
  if (info instanceof Error) return `unreachable (${info.message})`;
  const keys = ['state', 'slots_assigned', 'slots_ok', 'slots_pfail', 'slots_fail', 'known_nodes'];
  return keys.map((key) => `${key}=${info[`cluster_${key}`]}`).join(' ');
}

function scanKeys(port: number, pattern: string): Promise<string[]> {
  return withRedis(port, async (redis) => {
    const keys = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      for (const key of batch) keys.add(key);
    } while (cursor !== '0');
    return [...keys].sort();
  });
}
