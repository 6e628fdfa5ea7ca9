import type { LogEntry } from '@godot/shared';
import { McpWsClient } from '../../test/support/mcp-ws-client.js';

/** How long one tail call waits for a first entry (docs/product.md#logger_tail). */
const WAIT_MS = 10_000;

/** What a `logger_tail` answer holds (its structuredContent, format "json"). */
interface TailAnswer {
  logs?: LogEntry[];
  cursor: string;
  missed?: number | true;
}

/**
 * One `logger_tail` client in the bench process, as an assistant watching
 * a fleet runs it: one raw WebSocket, `initialize` once, then `logger_tail`
 * after `logger_tail` with the cursor of the previous answer (`wait_ms`
 * 10000, `limit` 1000, `max_bytes` 8000000). For every entry whose message
 * starts with `prefix` it keeps the ack-to-tail latency: now minus the
 * entry's `created_at`, which the server stamps on receipt, a few ms before
 * its acknowledgement.
 */
export class TailWatcher {
  /** Now − `created_at` of each entry seen, ms. */
  readonly latenciesMs: number[] = [];
  /** The messages seen, with `prefix`. */
  readonly seen = new Set<string>();
  /** Entries seen twice: a tail never repeats an entry across pages. */
  duplicates = 0;
  /** Entries the window dropped before the tail read them (`missed`). */
  missed = 0;
  calls = 0;
  private expected: readonly string[] | undefined;
  private loop: Promise<void> | undefined;
  /** What ended the tail early, if anything did: {@link stop} throws it. */
  private failure: unknown;

  private constructor(
    private readonly client: McpWsClient,
    private readonly prefix: string,
    private cursor: string,
  ) {}

  /**
   * Connects, initializes, and takes a cursor at the window's end (a call
   * with `wait_ms` 0), so that the tail sees everything accepted from now
   * on; then tails until {@link stop}.
   */
  static async start(url: string, prefix: string): Promise<TailWatcher> {
    const client = await McpWsClient.connect(url, { requestTimeoutMs: WAIT_MS + 20_000 });
    const init = await client.initialize();
    if (init.kind !== 'reply' || init.reply.error) throw new Error('tail: initialize failed');
    const first = await tailCall(client, { wait_ms: 0, limit: 1 });
    const watcher = new TailWatcher(client, prefix, first.cursor);
    watcher.loop = watcher.run().catch((error: unknown) => {
      watcher.failure = error;
    });
    return watcher;
  }

  /**
   * Stops once every message of `expected` (the phase's acknowledged
   * entries) was seen, or once a call that does not wait finds nothing more.
   */
  async stop(expected: readonly string[]): Promise<void> {
    this.expected = expected;
    // A call waiting for entries that will not come ends with the socket.
    if (this.seenAll()) await this.client.terminate();
    await this.loop;
    await this.client.close();
    if (this.failure !== undefined) throw this.failure;
  }

  private seenAll(): boolean {
    return this.expected?.every((message) => this.seen.has(message)) ?? false;
  }

  private async run(): Promise<void> {
    for (;;) {
      const draining = this.expected !== undefined;
      if (draining && this.seenAll()) return;
      const args = { cursor: this.cursor, wait_ms: draining ? 0 : WAIT_MS, limit: 1000 };
      let answer: TailAnswer;
      try {
        answer = await tailCall(this.client, { ...args, max_bytes: 8_000_000 });
      } catch (error) {
        // The socket closed under a waiting call: stop() saw everything.
        if (!this.client.open && this.expected !== undefined) return;
        throw error;
      }
      const now = Date.now();
      this.calls++;
      this.cursor = answer.cursor;
      if (answer.missed !== undefined) this.missed += answer.missed === true ? 1 : answer.missed;
      const logs = answer.logs ?? [];
      for (const entry of logs) {
        if (!entry.message.startsWith(this.prefix)) continue;
        if (this.seen.has(entry.message)) this.duplicates++;
        this.seen.add(entry.message);
        this.latenciesMs.push(now - Date.parse(entry.created_at));
      }
      if (draining && logs.length === 0) return;
    }
  }
}

/** One `logger_tail` call; throws on anything but an answer. */
async function tailCall(client: McpWsClient, args: object): Promise<TailAnswer> {
  const outcome = await client.callTool('logger_tail', args);
  if (outcome.kind !== 'reply') throw new Error(`logger_tail: ${outcome.kind}`);
  const result = outcome.reply.result as
    | { isError?: boolean; structuredContent?: TailAnswer; content?: { text?: string }[] }
    | undefined;
  if (outcome.reply.error || !result || result.isError || !result.structuredContent) {
    const why = outcome.reply.error?.message ?? result?.content?.[0]?.text ?? 'no answer';
    throw new Error(`logger_tail: ${why}`);
  }
  return result.structuredContent;
}
