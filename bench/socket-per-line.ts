import { McpWsClient, readLogReply } from '../test/support/mcp-ws-client.js';

/** Options of {@link runSocketPerLine}. */
export interface SocketPerLineOptions {
  url: string;
  /** Concurrent loops. @default 8 */
  loops?: number;
  durationMs: number;
  /** Messages are `${prefix}-${loop}-${n}`. */
  prefix: string;
  /** Send `initialize` before the call, as the SDK-based clients do. @default true */
  initialize?: boolean;
}

/** What the loops did. */
export interface SocketPerLineResult {
  acknowledged: string[];
  failed: number;
  hung: number;
  elapsedMs: number;
}

/**
 * Today's clients: one WebSocket per log line — connect, `initialize`,
 * `tools/call logger_log`, close — in `loops` concurrent loops.
 */
export async function runSocketPerLine(
  options: SocketPerLineOptions,
): Promise<SocketPerLineResult> {
  const result: SocketPerLineResult = { acknowledged: [], failed: 0, hung: 0, elapsedMs: 0 };
  const started = performance.now();
  const deadline = started + options.durationMs;
  const loop = async (index: number) => {
    for (let n = 0; performance.now() < deadline; n++) {
      const message = `${options.prefix}-${index}-${n}`;
      let client: McpWsClient | undefined;
      try {
        client = await McpWsClient.connect(options.url, { requestTimeoutMs: 5000 });
        if (options.initialize ?? true) await client.initialize();
        const outcome = await client.callTool('logger_log', {
          component: 'bench-per-line',
          level: 'INFO',
          message,
          trace_id: null,
          data: null,
        });
        if (outcome.kind === 'timeout') result.hung += 1;
        else if (outcome.kind === 'reply' && readLogReply(outcome.reply).kind === 'acknowledged') {
          result.acknowledged.push(message);
        } else result.failed += 1;
      } catch {
        result.failed += 1;
      } finally {
        await client?.close();
      }
    }
  };
  await Promise.all(Array.from({ length: options.loops ?? 8 }, (_, index) => loop(index)));
  result.elapsedMs = performance.now() - started;
  return result;
}
