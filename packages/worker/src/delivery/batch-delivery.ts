import { DeweyRejectedError, type LogEntry } from '@godot/shared';

/** What happened to each entry of a delivered batch. */
export interface DeliveryOutcome {
  /** Entries Dewey stored. */
  stored: number;
  /** Indexes (into the batch) of entries Dewey refused, with its message. */
  rejected: Map<number, string>;
  /** Store calls made, including those spent isolating rejected entries. */
  calls: number;
}

/** The one Dewey call delivery needs (a `DeweyClient` fits). */
export interface BatchStore {
  storeLogsBatch(logs: readonly LogEntry[]): Promise<unknown>;
}

/**
 * Stores a batch in Dewey. Dewey's batches are all or nothing, so when it
 * rejects one, the batch is split in halves until each refused entry stands
 * alone: the rest is stored, the offenders are reported with Dewey's message
 * (docs/product.md#dead-letters). `DeweyUnavailableError` and anything else
 * unexpected propagate: the caller retries the whole batch later.
 */
export async function deliverBatch(
  store: BatchStore,
  entries: readonly LogEntry[],
): Promise<DeliveryOutcome> {
  const outcome: DeliveryOutcome = { stored: 0, rejected: new Map(), calls: 0 };
  await deliverRange(store, entries, 0, entries.length, outcome);
  return outcome;
}

async function deliverRange(
  store: BatchStore,
  entries: readonly LogEntry[],
  start: number,
  end: number,
  outcome: DeliveryOutcome,
): Promise<void> {
  outcome.calls += 1;
  try {
    await store.storeLogsBatch(entries.slice(start, end));
    outcome.stored += end - start;
  } catch (error) {
    if (!(error instanceof DeweyRejectedError)) throw error;
    if (end - start === 1) {
      outcome.rejected.set(start, error.rpcMessage);
      return;
    }
    const middle = start + Math.ceil((end - start) / 2);
    await deliverRange(store, entries, start, middle, outcome);
    await deliverRange(store, entries, middle, end, outcome);
  }
}
