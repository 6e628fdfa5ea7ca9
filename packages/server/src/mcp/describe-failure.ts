import { DeweyProtocolError, DeweyRejectedError, DeweyUnavailableError } from '@godot/shared';
import { EntryRefusedError, QueueUnavailableError } from '../ingest/ingest-errors.js';
import { DeweyCannotClearError } from '../query/dewey-time-bug.js';
import { ReadInputError, RecentWindowOffError, TailsBusyError } from '../read/read-errors.js';
import type { ToolErrorReason } from './tool-result.js';

/** What a tool's throw becomes: the reply's text and reason, and the label it is counted under. */
export interface ToolFailure {
  /** One line that says what failed and whose fault it is. */
  text: string;
  reason: ToolErrorReason;
  /** The `reason` label of `godot_logs_refused_total`, when `logger_log` failed. */
  metric: string;
}

/**
 * Turns any throw from a tool handler into a tool error that says what failed
 * and whose fault it is. Decided by error class, never by message text.
 */
export function describeFailure(tool: string, error: unknown): ToolFailure {
  if (error instanceof EntryRefusedError) {
    const reason = error.reason === 'too_large' ? 'entry_too_large' : 'entry_unserializable';
    return { text: error.message, reason, metric: error.reason };
  }
  if (error instanceof QueueUnavailableError) {
    return { text: error.message, reason: 'queue_unavailable', metric: 'redis' };
  }
  if (error instanceof ReadInputError) {
    return { text: error.message, reason: 'invalid_input', metric: 'invalid_input' };
  }
  if (error instanceof TailsBusyError) {
    return { text: error.message, reason: 'tails_busy', metric: 'tails_busy' };
  }
  if (error instanceof RecentWindowOffError) {
    return { text: error.message, reason: 'recent_window_off', metric: 'recent_window_off' };
  }
  if (error instanceof DeweyCannotClearError) {
    return { text: error.message, reason: 'dewey_time_bug', metric: 'dewey_rejected' };
  }
  if (error instanceof DeweyUnavailableError) {
    return {
      text: `Dewey unavailable (${error.reason}): ${error.message}`,
      reason: 'dewey_unavailable',
      metric: 'dewey_unavailable',
    };
  }
  if (error instanceof DeweyRejectedError) {
    return {
      text: `Dewey rejected ${tool} (${error.rpcCode}): ${error.rpcMessage}`,
      reason: 'dewey_rejected',
      metric: 'dewey_rejected',
    };
  }
  if (error instanceof DeweyProtocolError) {
    return {
      text: `Dewey: ${error.message}`,
      reason: 'dewey_bad_reply',
      metric: 'dewey_bad_reply',
    };
  }
  return {
    text: `${tool} failed: ${error instanceof Error ? error.message : String(error)}`,
    reason: 'internal',
    metric: 'internal',
  };
}
