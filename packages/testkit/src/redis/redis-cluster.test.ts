import { existsSync } from 'node:fs';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_CLI_NOT_FOUND_MESSAGE, RedisCluster } from './redis-cluster.js';
import { withRedis } from './with-redis.js';

const TAGS = [0, 1, 2, 3, 4, 5].map((i) => `{godot:${i}}`);

function connect(cluster: RedisCluster): Cluster {
  return new Cluster(cluster.nodes.map((node) => ({ host: '127.0.0.1', port: node.port })));
}

describe('RedisCluster', () => {
  let cluster: RedisCluster;

  beforeAll(async () => {
    // `always`: with `everysec`, Redis may hold an AOF write back for up to
    // 2 s while an earlier fsync is slow (a loaded machine), and a SIGKILL
    // then loses it; this test is about the restart, not the fsync policy.
    cluster = await RedisCluster.start({ appendonly: true, appendfsync: 'always' });
  });
  afterAll(async () => {
    await cluster?.close();
  });

  it('starts 3 masters on 127.0.0.1 that share all 16384 slots', async () => {
    expect(cluster.nodes).toHaveLength(3);
    const ports = cluster.nodes.map((node) => node.port);
    expect(ports).toEqual([...ports].sort((a, b) => a - b));
    expect(cluster.urls).toEqual(ports.map((port) => `redis://127.0.0.1:${port}`));
    expect(cluster.seeds).toBe(cluster.urls.join(','));
    for (const node of cluster.nodes) {
      const info = await withRedis(node.port, (r) => r.cluster('INFO'));
      expect(info).toContain('cluster_state:ok');
      expect(info).toContain('cluster_slots_assigned:16384');
      // cluster_size counts masters that serve at least one slot.
      expect(info).toContain('cluster_size:3');
      expect(await withRedis(node.port, (r) => r.config('GET', 'appendonly'))).toEqual([
        'appendonly',
        'yes',
      ]);
    }
  });

  it('keeps keys written before a SIGKILL when the master restarts', async () => {
    const owners = await Promise.all(TAGS.map((tag) => cluster.nodeOfKey(`${tag}x`)));
    expect(new Set(owners).size).toBeGreaterThanOrEqual(2);

    const writer = connect(cluster);
    try {
      for (const tag of TAGS) expect(await writer.set(`${tag}x`, `value of ${tag}`)).toBe('OK');
    } finally {
      writer.disconnect();
    }
    const before = await cluster.keysByNode('{godot:*}x');
    expect(before.flat()).toHaveLength(TAGS.length);
    before.forEach((keys, index) => {
      for (const key of keys) expect(owners[TAGS.indexOf(key.slice(0, -1))]).toBe(index);
    });

    const victim = owners[0] ?? 0;
    const port = cluster.nodes[victim]?.port ?? 0;
    await cluster.kill(victim);
    expect(cluster.nodes[victim]?.running).toBe(false);
    await expect(withRedis(port, (r) => r.ping(), { timeoutMs: 200 })).rejects.toThrow();

    await cluster.restart(victim);
    expect(cluster.nodes[victim]?.port).toBe(port);
    expect(await cluster.keysByNode('{godot:*}x')).toEqual(before);
    const reader = connect(cluster);
    try {
      for (const tag of TAGS) expect(await reader.get(`${tag}x`)).toBe(`value of ${tag}`);
    } finally {
      reader.disconnect();
    }
  });

  it('removes every node directory on close', async () => {
    const dirs = cluster.nodes.map((node) => node.dir);
    expect(dirs.every((dir) => existsSync(dir))).toBe(true);
    await cluster.close();
    expect(cluster.nodes.some((node) => node.running)).toBe(false);
    expect(dirs.some((dir) => existsSync(dir))).toBe(false);
  });

  it('says how to install redis-cli when it is missing', async () => {
    await expect(RedisCluster.start({ cliBinary: 'redis-cli-does-not-exist' })).rejects.toThrow(
      REDIS_CLI_NOT_FOUND_MESSAGE,
    );
  });
});
