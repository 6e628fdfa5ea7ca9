import { createGodotLogger } from '@godot/client';

/** Options of {@link runClientLoad}. */
export interface ClientLoadOptions {
  url: string;
  /** Messages are `${prefix}-${n}`. */
  prefix: string;
  /** Entries to log. */
  count: number;
}

/** What one `@godot/client` logger got acknowledged. */
export interface ClientLoadResult {
  /** Every message, when Godot acknowledged them all; else empty (the client does not say which). */
  acknowledged: string[];
  acked: number;
  refused: number;
  dropped: number;
  elapsedMs: number;
}

/**
 * One `@godot/client` logger logging `count` entries as fast as it takes
 * them, as a busy Node service would, without overflowing its buffer (the
 * loop yields while half of it is waiting); ends once Godot answered all.
 */
export async function runClientLoad(options: ClientLoadOptions): Promise<ClientLoadResult> {
  const log = createGodotLogger({ url: options.url, component: 'bench-client' });
  const messages: string[] = [];
  const started = performance.now();
  for (let n = 0; n < options.count; n += 1) {
    while (log.stats().buffered >= 5000) await new Promise((resolve) => setImmediate(resolve));
    const message = `${options.prefix}-${n}`;
    messages.push(message);
    log.info(message);
  }
  await log.flush(60_000);
  const elapsedMs = performance.now() - started;
  const { acked, refused, dropped } = log.stats();
  await log.close();
  return {
    acknowledged: acked === options.count ? messages : [],
    acked,
    refused,
    dropped,
    elapsedMs,
  };
}
