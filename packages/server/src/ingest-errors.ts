/** An entry that is valid JSON but cannot be queued as it is (too large, unserialisable). */
export class EntryRefusedError extends Error {
  readonly code = 'ENTRY_REFUSED';
  constructor(
    /** The input field the caller should change. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'EntryRefusedError';
  }
}

/** Redis did not accept the job in time: the entry is NOT queued. */
export class QueueUnavailableError extends Error {
  readonly code = 'QUEUE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueUnavailableError';
  }
}
