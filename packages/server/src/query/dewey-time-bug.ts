import { DeweyRejectedError } from '@godot/shared';

/** JSON-RPC "Internal error": what Dewey answers for database and Python type errors. */
const INTERNAL_ERROR = -32603;

/**
 * Whether `error` is the real Dewey's known bug
 * (docs/dewey-contract.md#known-dewey-bug): it hands ISO strings to asyncpg
 * where a datetime is wanted, so every `dewey_query_logs` with
 * `start_time`/`end_time` and every `dewey_clear_logs` fails.
 *
 * Decided from structure first: a `DeweyRejectedError` (Dewey answered with a
 * JSON-RPC error) with code -32603, from a call that carried a time (the
 * caller knows which call it made). The code alone is not enough: Dewey uses
 * -32603 for every database or type error (a NUL character, a bad argument
 * type), and it sends no error `data` to tell them apart. So, as a secondary
 * check only, the message must contain asyncpg's "expected a datetime". If
 * Dewey ever rewords it, the error is reported in today's generic words —
 * never wrongly claimed to be this bug.
 */
export function isDeweyTimeBug(error: unknown): error is DeweyRejectedError {
  return (
    error instanceof DeweyRejectedError &&
    error.rpcCode === INTERNAL_ERROR &&
    error.rpcMessage.includes('expected a datetime')
  );
}

/**
 * `logger_clear` met the bug: Dewey cannot clear at all (its `before_time`
 * defaults to a string too). Local error, never sent on the wire as such.
 */
export class DeweyCannotClearError extends Error {
  readonly code = 'DEWEY_CANNOT_CLEAR';
  constructor(readonly deweyError: DeweyRejectedError) {
    super(
      'Dewey cannot run logger_clear: every dewey_clear_logs call fails in Dewey itself ' +
        '(a known Dewey bug with date-time parameters, whatever the input). ' +
        'Nothing was deleted, and no choice of before_time, component or level avoids the failure. ' +
        `Dewey said (${deweyError.rpcCode}): ${deweyError.rpcMessage}`,
      { cause: deweyError },
    );
    this.name = 'DeweyCannotClearError';
  }
}
