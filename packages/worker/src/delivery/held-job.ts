import type { LogEntry } from '@godot/shared';

/**
 * One job in the worker's hands: its readable entries, and how to settle it.
 * The job's processor waits on `resolve`/`reject`, so BullMQ completes or
 * fails the job only once its batch is settled; until then BullMQ keeps
 * renewing its lock.
 */
export interface HeldJob {
  /** BullMQ's job id, for logs. */
  jobId: string | undefined;
  /** Oldest first; never empty. */
  entries: LogEntry[];
  /** Completes the job (it leaves Redis). */
  resolve(): void;
  /** Fails the job, or hands it back (`handBackError`). */
  reject(error: Error): void;
}

/** Entries in a batch of held jobs. */
export function entryCount(batch: readonly HeldJob[]): number {
  return batch.reduce((sum, item) => sum + item.entries.length, 0);
}
