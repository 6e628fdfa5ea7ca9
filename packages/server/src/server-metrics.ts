import { withTimeout } from '@godot/shared';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one server instance (godot.md, Own logs, health, metrics). */
export interface ServerMetrics {
  registry: Registry;
  received: Counter<'level'>;
  queued: Counter<'level'>;
  filtered: Counter<'level'>;
  /** Entries refused before queueing, by reason (invalid, too_large, redis). */
  refused: Counter<'reason'>;
  dropped: Counter;
  /** WebSocket frames refused before reaching a tool: not JSON, binary, batches, too large. */
  framesRefused: Counter<'reason'>;
  sanitized: Counter;
  queueDepth: Gauge<'state'>;
  deweyUp: Gauge;
  toolDuration: Histogram<'tool'>;
}

/** How long a scrape waits for the queue's job counts before it shows no depth. */
const QUEUE_DEPTH_TIMEOUT_MS = 1000;

/**
 * Creates the metrics on a registry of their own, so instances never collide.
 * `readQueueCounts` fills `godot_queue_depth` at scrape time.
 */
export function createServerMetrics(
  readQueueCounts: () => Promise<Record<string, number>> = async () => ({}),
): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'godot_server_' });
  const registers = [registry];
  return {
    registry,
    received: new Counter({
      name: 'godot_logs_received_total',
      help: 'logger_log calls with valid input, by level',
      labelNames: ['level'],
      registers,
    }),
    queued: new Counter({
      name: 'godot_logs_queued_total',
      help: 'Entries accepted by Redis as jobs, by level',
      labelNames: ['level'],
      registers,
    }),
    filtered: new Counter({
      name: 'godot_logs_filtered_total',
      help: "Entries below their component's level, not queued, by level",
      labelNames: ['level'],
      registers,
    }),
    refused: new Counter({
      name: 'godot_logs_refused_total',
      help: 'logger_log calls refused with a tool error, by reason',
      labelNames: ['reason'],
      registers,
    }),
    dropped: new Counter({
      name: 'godot_logs_dropped_total',
      help: 'Oldest waiting entries removed because MAX_QUEUE_SIZE was reached',
      registers,
    }),
    framesRefused: new Counter({
      name: 'godot_frames_refused_total',
      help: 'WebSocket frames refused before any tool saw them, by reason (invalid, too_large)',
      labelNames: ['reason'],
      registers,
    }),
    sanitized: new Counter({
      name: 'godot_logs_sanitized_total',
      help: 'Entries whose NUL characters were replaced by U+FFFD',
      registers,
    }),
    queueDepth: new Gauge({
      name: 'godot_queue_depth',
      help: 'Jobs in the queue by state, read at scrape time',
      labelNames: ['state'],
      registers,
      async collect() {
        // A frozen Redis must not hold the whole scrape: give up after a
        // second and show no depth rather than a stale one.
        const counts = await withTimeout(readQueueCounts(), QUEUE_DEPTH_TIMEOUT_MS).catch(
          () => undefined,
        );
        if (counts === undefined) this.reset();
        for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
      },
    }),
    deweyUp: new Gauge({
      name: 'godot_dewey_up',
      help: '1 while the server is connected to Dewey',
      registers,
    }),
    toolDuration: new Histogram({
      name: 'godot_tool_call_duration_seconds',
      help: 'Tool call duration by tool',
      labelNames: ['tool'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
  };
}
