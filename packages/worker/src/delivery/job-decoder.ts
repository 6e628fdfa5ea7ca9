import { jobEntries, type LogEntry, logEntrySchema } from '@godot/shared';
import { deadLetterFailure } from './dead-letters.js';

/**
 * One value of a job's `entries`, read: a log entry, or a value that is not
 * one, kept as it was (with the reason) so that it can be dead-lettered
 * rather than dropped.
 */
export type DecodedEntry =
  | { readable: true; entry: LogEntry }
  | { readable: false; value: unknown; problem: string };

/** A value of a job's `entries` that is not a log entry. */
export type UnreadableEntry = Extract<DecodedEntry, { readable: false }>;

/** What a job asks of the worker. */
export type DecodedJob =
  /** A dead letter's first run: fail the job with `failure`, deliver nothing. */
  | { kind: 'dead-letter'; failure: string }
  /** Entries to deliver, oldest first, and those that cannot be. */
  | { kind: 'entries'; entries: LogEntry[]; unreadable: UnreadableEntry[] };

/** Reads one value as a log entry (`logEntrySchema`). */
export function decodeEntry(value: unknown): DecodedEntry {
  const parsed = logEntrySchema.safeParse(value);
  return parsed.success
    ? { readable: true, entry: parsed.data }
    : { readable: false, value, problem: parsed.error.message };
}

/**
 * Reads a job as Redis holds it, whoever wrote it: the entries its name says
 * are still to deliver (`jobEntries`: the bound may have cut the oldest; a
 * Godot 0.1 job is one entry), each checked against `logEntrySchema`. Job
 * data is never trusted: another version, a hand edit in the dashboard or a
 * Python Godot entry that could not be mapped may have put anything there.
 */
export function decodeJob(
  job: { name: string; data: unknown; attemptsMade: number },
  /** The job's logs list: the entries appended while it gathered them (`jobEntries`). */
  appended: readonly string[] = [],
): DecodedJob {
  const failure = deadLetterFailure(job);
  if (failure !== undefined) return { kind: 'dead-letter', failure };
  const entries: LogEntry[] = [];
  const unreadable: UnreadableEntry[] = [];
  for (const value of jobEntries(job, appended)) {
    const decoded = decodeEntry(value);
    if (decoded.readable) entries.push(decoded.entry);
    else unreadable.push(decoded);
  }
  return { kind: 'entries', entries, unreadable };
}

/** The reason an unreadable entry's job or dead letter fails with. */
export function unreadableReason(entry: UnreadableEntry): string {
  return `invalid log entry in job data: ${entry.problem}`;
}
