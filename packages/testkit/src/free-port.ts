import { createServer } from 'node:net';

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
