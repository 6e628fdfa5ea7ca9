import { GodotError } from '@godot/shared';

/** The local codes of the read tools' errors. */
export type ReadErrorCode = 'READ_INPUT' | 'READ_BUSY' | 'RECENT_OFF';

/**
 * An input the schema could not judge alone: a cursor Godot did not write,
 * a `since` that is not a time. `field` names the input field, as every
 * invalid-input error does.
 */
export class ReadInputError extends GodotError<ReadErrorCode> {
  constructor(
    readonly field: string,
    rule: string,
  ) {
    super('READ_INPUT', `${rule} at ${field}`);
  }
}

/** This server already serves MAX_TAILS tails that wait: try again shortly. */
export class TailsBusyError extends GodotError<ReadErrorCode> {
  constructor(max: number) {
    super(
      'READ_BUSY',
      `this server already has ${max} logger_tail calls waiting (MAX_TAILS); retry shortly, or with wait_ms 0`,
    );
  }
}

/** The recent window is off (RECENT_MAX_BYTES=0): tails and recent reads cannot work. */
export class RecentWindowOffError extends GodotError<ReadErrorCode> {
  constructor() {
    super('RECENT_OFF', 'the recent window is off on this server (RECENT_MAX_BYTES=0)');
  }
}
