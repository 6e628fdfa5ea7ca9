import type { LogEntry } from '@godot/shared';
import type { HeldJob } from './held-job.js';

/** A log entry for tests, `message` as given. */
export function entry(message: string, over: Partial<LogEntry> = {}): LogEntry {
  return {
    component: 'delivery-test',
    level: 'INFO',
    message,
    trace_id: null,
    data: null,
    created_at: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

/** A held job for tests, and how it was settled. */
export interface TestHeldJob extends HeldJob {
  /** 'completed', or the error the job was failed or handed back with. */
  outcome: Promise<'completed' | Error>;
}

/**
 * A held job of these entries (strings become `entry(message)`) whose
 * settlement the test can await; `settledOrder` collects job ids as jobs settle.
 */
export function heldJob(
  jobId: string,
  entries: ReadonlyArray<string | LogEntry>,
  settledOrder: string[] = [],
): TestHeldJob {
  let settle: (outcome: 'completed' | Error) => void = () => {};
  const outcome = new Promise<'completed' | Error>((resolve) => {
    settle = resolve;
  });
  return {
    jobId,
    entries: entries.map((value) => (typeof value === 'string' ? entry(value) : value)),
    resolve: () => {
      settledOrder.push(jobId);
      settle('completed');
    },
    reject: (error) => {
      settledOrder.push(jobId);
      settle(error);
    },
    outcome,
  };
}
