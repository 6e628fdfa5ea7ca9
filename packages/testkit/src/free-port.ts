import { createServer, type Server } from 'node:net';

/**
 * A TCP port that was free a moment ago on `host`: listens on port 0, reads
 * the port the kernel chose, and closes. For programs that must be told a
 * port up front (redis-server); something else may take it in between, so
 * callers that can should retry on "address in use".
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Redis Cluster's bus listens on the client port plus this offset. */
export const CLUSTER_BUS_PORT_OFFSET = 10_000;

// Bus ports must stay below 65536; the range also leaves out 6379/16379 (the
// machine's own Redis). It overlaps Linux's ephemeral range, so an outgoing
// connection may take a port between check and use: callers retry.
const CLUSTER_PORT_MIN = 20_000;
const CLUSTER_PORT_MAX = 45_000;
const CLUSTER_PORT_ATTEMPTS = 100;

/**
 * A port `p` such that both `p` and `p + 10000` (the Redis Cluster bus) were
 * free a moment ago on `host`. Port 0 cannot help here: the kernel picks one
 * port, not a pair, so random ports in 20000-45000 are tried. As with
 * {@link freePort}, something may take either port in between.
 */
export async function freeClusterPort(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < CLUSTER_PORT_ATTEMPTS; i++) {
    const span = CLUSTER_PORT_MAX - CLUSTER_PORT_MIN + 1;
    const port = CLUSTER_PORT_MIN + Math.floor(Math.random() * span);
    if (await portsFree([port, port + CLUSTER_BUS_PORT_OFFSET], host)) return port;
  }
  throw new Error(`no free port pair (port, port + 10000) after ${CLUSTER_PORT_ATTEMPTS} tries`);
}

/**
 * True if every port could be listened on at once on `host` (all are closed
 * again before resolving).
 */
export async function portsFree(ports: readonly number[], host = '127.0.0.1'): Promise<boolean> {
  const servers: Server[] = [];
  try {
    for (const port of ports) {
      const server = createServer();
      server.unref();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, resolve);
      });
      servers.push(server);
    }
    return true;
  } catch {
    return false;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
