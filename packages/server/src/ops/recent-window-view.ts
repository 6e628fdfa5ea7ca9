import { type RecentSpan, withTimeout } from '@godot/shared';
import { Gauge, type Registry } from 'prom-client';

/** How long a scrape waits for the window's span before it shows none. */
const SPAN_TIMEOUT_MS = 1000;

/** The recent window's bounds, as configured for all shards together. */
export interface RecentWindowSettings {
  windowMs: number;
  maxBytes: number;
}

/**
 * What `/health` says of the recent window (docs/product.md#recent-window):
 * its bounds, what it holds, and the span it covers, in ISO times.
 */
export interface RecentWindowReport {
  window_ms: number;
  max_bytes: number;
  entries: number;
  bytes: number;
  oldest: string | null;
  newest: string | null;
  /** Every entry accepted since this time is in the window: `logger_query` from then on is complete. */
  complete_since: string | null;
}

/** The report of a span read now. */
export function recentWindowReport(
  span: RecentSpan,
  settings: RecentWindowSettings,
): RecentWindowReport {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    window_ms: settings.windowMs,
    max_bytes: settings.maxBytes,
    entries: span.entries,
    bytes: span.bytes,
    oldest: iso(span.oldest),
    newest: iso(span.newest),
    complete_since: iso(span.complete_since),
  };
}

/**
 * The window's gauges on the server's registry, read at scrape time:
 * entries and bytes held, and how far back it reaches; plus the tails
 * waiting on this server.
 */
export function registerRecentWindowView(options: {
  registry: Registry;
  span: () => Promise<RecentSpan>;
  tailsWaiting: () => number;
}): void {
  const { registry, span, tailsWaiting } = options;
  const registers = [registry];
  new Gauge({
    name: 'godot_recent_window',
    help: 'The recent window over every shard, read at scrape time: entries and bytes held, span_seconds from its oldest record to now',
    labelNames: ['measure'],
    registers,
    async collect() {
      const read = await withTimeout(span(), SPAN_TIMEOUT_MS).catch(() => undefined);
      if (read === undefined) {
        this.reset();
        return;
      }
      this.set({ measure: 'entries' }, read.entries);
      this.set({ measure: 'bytes' }, read.bytes);
      this.set(
        { measure: 'span_seconds' },
        read.oldest === null ? 0 : Math.max(0, (Date.now() - read.oldest) / 1000),
      );
    },
  });
  new Gauge({
    name: 'godot_tails_waiting',
    help: 'logger_tail calls waiting on this server (at most MAX_TAILS)',
    registers,
    collect() {
      this.set(tailsWaiting());
    },
  });
}
