import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Options of `startWorkerHttp`. */
export interface WorkerHttpOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Current health: HTTP code and JSON body. */
  health: () => Promise<{ code: number; body: object }>;
}

/** `GET /health` and `GET /metrics` on the worker's own port (127.0.0.1:9061 by default). */
export async function startWorkerHttp(
  options: WorkerHttpOptions,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const respond = async () => {
      if (req.method === 'GET' && req.url === '/health') {
        const { code, body } = await options.health();
        res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      } else if (req.method === 'GET' && req.url === '/metrics') {
        res
          .writeHead(200, { 'content-type': options.registry.contentType })
          .end(await options.registry.metrics());
      } else {
        res
          .writeHead(404, { 'content-type': 'text/plain' })
          .end('not found: try /health or /metrics');
      }
    };
    respond().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
