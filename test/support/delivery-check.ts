/** Acknowledged entries compared with what Dewey stored. */
export interface DeliveryReport {
  /** Acknowledged entries Dewey does not have: must be empty. */
  lost: string[];
  /** Stored rows beyond the first per message (at-least-once allows these). */
  duplicates: number;
  /** Distinct messages stored more than once. */
  duplicatedMessages: number;
  /** Stored messages that were never acknowledged (e.g. the ack was lost with the socket). */
  unacknowledgedStored: number;
  acknowledged: number;
  storedRows: number;
}

/**
 * Compares the acknowledged messages with the stored ones. Acknowledged ⊆
 * stored is the no-loss promise (docs/product.md#at-least-once-delivery);
 * duplicates are allowed after faults and only counted.
 */
export function checkDelivery(
  acknowledged: Iterable<string>,
  storedMessages: Iterable<string>,
): DeliveryReport {
  const counts = new Map<string, number>();
  let storedRows = 0;
  for (const message of storedMessages) {
    counts.set(message, (counts.get(message) ?? 0) + 1);
    storedRows += 1;
  }
  const acked = new Set(acknowledged);
  const lost: string[] = [];
  for (const message of acked) if (!counts.has(message)) lost.push(message);
  let duplicates = 0;
  let duplicatedMessages = 0;
  let unacknowledgedStored = 0;
  for (const [message, count] of counts) {
    if (count > 1) {
      duplicates += count - 1;
      duplicatedMessages += 1;
    }
    if (!acked.has(message)) unacknowledgedStored += 1;
  }
  return {
    lost,
    duplicates,
    duplicatedMessages,
    unacknowledgedStored,
    acknowledged: acked.size,
    storedRows,
  };
}

/** One line for the test output. */
export function describeDelivery(label: string, report: DeliveryReport): string {
  const lost = report.lost.length;
  const sample = lost > 0 ? ` e.g. ${report.lost.slice(0, 5).join(', ')}` : '';
  return (
    `${label}: acknowledged ${report.acknowledged}, stored rows ${report.storedRows}, ` +
    `lost ${lost}${sample}, duplicates ${report.duplicates} (${report.duplicatedMessages} messages), ` +
    `stored but unacknowledged ${report.unacknowledgedStored}`
  );
}

/**
 * Counts stored messages as they arrive (fed by the emulator's `onStore`), so
 * waiting for 100,000 rows does not copy the whole store on every poll.
 */
export class StoredMessages {
  readonly counts = new Map<string, number>();
  rows = 0;

  /** Records one stored batch. */
  add(messages: Iterable<string>): void {
    for (const message of messages) {
      this.counts.set(message, (this.counts.get(message) ?? 0) + 1);
      this.rows += 1;
    }
  }

  /** Every stored message, once per row. */
  *messages(): Generator<string> {
    for (const [message, count] of this.counts) for (let i = 0; i < count; i++) yield message;
  }

  /** How many of `expected` are not stored yet. */
  missing(expected: Iterable<string>): number {
    let missing = 0;
    for (const message of expected) if (!this.counts.has(message)) missing += 1;
    return missing;
  }

  /**
   * Waits until every expected message is stored, or until nothing new was
   * stored for `quietMs` (then the report shows what is lost), and reports.
   */
  /**
   * Waits until every expected message is stored, or nothing new arrived for
   * `quietMs`, or `timeoutMs` passed; then compares.
   */
  async waitFor(
    expected: Iterable<string>,
    options: { timeoutMs: number; quietMs?: number } = { timeoutMs: 30_000, quietMs: 10_000 },
  ): Promise<DeliveryReport> {
    const list = [...expected];
    const deadline = Date.now() + options.timeoutMs;
    const quietMs = options.quietMs ?? options.timeoutMs;
    let lastRows = this.rows;
    let lastChange = Date.now();
    while (this.missing(list) > 0 && Date.now() < deadline) {
      if (this.rows !== lastRows) {
        lastRows = this.rows;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > quietMs) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return checkDelivery(list, this.messages());
  }
}
