/** An entry that is valid JSON but cannot be queued as it is (too large, unserialisable). */
export class EntryRefusedError extends Error {
  readonly code = 'ENTRY_REFUSED';
  constructor(
    /** The input field the caller should change. */
    readonly field: string,
    message: string,
    /** Why, as counted in `godot_logs_refused_total{reason}`. */
    readonly reason: 'too_large' | 'unserializable',
  ) {
    super(`${field}: ${message}`);
    this.name = 'EntryRefusedError';
  }
}

/**
 * Redis did not confirm the job in time. `maybeQueued` is false when nothing
 * was sent (no connection): the entry is certainly not queued. It is true when
 * the job was written but not confirmed (Redis frozen or slow): Redis may
 * still run it, so a caller that retries may store the entry twice.
 */
export class QueueUnavailableError extends Error {
  readonly code = 'QUEUE_UNAVAILABLE';
  readonly maybeQueued: boolean;
  constructor(message: string, options: { cause?: unknown; maybeQueued?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = 'QueueUnavailableError';
    this.maybeQueued = options.maybeQueued ?? false;
  }
}
