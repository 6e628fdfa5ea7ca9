/**
 * Base of every error `@godot/shared` raises, and the base the server and
 * worker extend for theirs. `code` is a string from a small closed union per
 * family (`TransportErrorCode`, `DeweyErrorCode`, `ConfigErrorCode`): a local
 * error code that never crosses the wire (JSON-RPC codes do, see
 * `@godot/wire`). Callers steer with `instanceof` on the subclass, or on
 * `code`; never on the message text, which is for people.
 */
export class GodotError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
