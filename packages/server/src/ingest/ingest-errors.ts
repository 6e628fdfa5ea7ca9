import { GodotError } from '@godot/shared';

/**
 * Local errors of the ingest path. Their `code` never crosses the wire: the
 * tool dispatcher turns them into a tool error with a stable reason
 * (mcp/describe-failure.ts). Callers branch on the class with `instanceof`.
 */
export type IngestErrorCode = 'ENTRY_REFUSED' | 'QUEUE_UNAVAILABLE';

/** Base of every error the ingest path raises. */
export class IngestError extends GodotError<IngestErrorCode> {}

/** An entry that is valid JSON but cannot be queued as it is (too large, unserialisable). */
export class EntryRefusedError extends IngestError {
  constructor(
    /** The input field the caller should change. */
    readonly field: string,
    message: string,
    /** Why, as counted in `godot_logs_refused_total{reason}`. */
    readonly reason: 'too_large' | 'unserializable',
  ) {
    super('ENTRY_REFUSED', `${field}: ${message}`);
  }
}

/**
 * Redis did not confirm the job in time. `maybeQueued` is false when nothing
 * was sent (no connection): the entry is certainly not queued. It is true when
 * the job was written but not confirmed (Redis frozen or slow): Redis may
 * still run it, so a caller that retries may store the entry twice.
 */
export class QueueUnavailableError extends IngestError {
  readonly maybeQueued: boolean;
  constructor(message: string, options: { cause?: unknown; maybeQueued?: boolean } = {}) {
    super('QUEUE_UNAVAILABLE', message, { cause: options.cause });
    this.maybeQueued = options.maybeQueued ?? false;
  }
}
