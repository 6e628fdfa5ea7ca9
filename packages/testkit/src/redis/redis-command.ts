import { connect } from 'node:net';

/** A decoded RESP2 reply: simple and bulk strings, integers, nil, arrays. */
export type RespValue = string | number | null | RespValue[];

/** An error reply from Redis (`-ERR …`). */
export class RedisReplyError extends Error {
  override readonly name = 'RedisReplyError';
}

/** Options of {@link redisCommand}. */
export interface RedisCommandOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** Connect plus reply time. @default 2000 */
  timeoutMs?: number;
}

/**
 * Sends one command over a fresh TCP connection with raw RESP and returns the
 * decoded reply, so tests can poke a Redis without a client library
 * (e.g. `redisCommand(port, ['SET', 'k', 'v'])`). An error reply rejects with
 * {@link RedisReplyError}.
 */
export function redisCommand(
  port: number,
  args: readonly string[],
  options: RedisCommandOptions = {},
): Promise<RespValue> {
  const { host = '127.0.0.1', timeoutMs = 2000 } = options;
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    let received = Buffer.alloc(0);
    const finish = (error: Error | undefined, value?: RespValue) => {
      socket.destroy();
      if (error) reject(error);
      else resolve(value ?? null);
    };
    socket.setTimeout(timeoutMs, () =>
      finish(new Error(`redis ${args[0]}: no reply in ${timeoutMs} ms`)),
    );
    socket.once('error', (error) => finish(error));
    socket.once('close', () => finish(new Error(`redis ${args[0]}: connection closed`)));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      const parsed = parseReply(received, 0);
      if (!parsed) return;
      if (parsed.value instanceof RedisReplyError) finish(parsed.value);
      else finish(undefined, parsed.value);
    });
    socket.write(encodeCommand(args));
  });
}

/** RESP encoding of a command: an array of bulk strings. */
export function encodeCommand(args: readonly string[]): Buffer {
  const parts = args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`);
  return Buffer.from(`*${args.length}\r\n${parts.join('')}`);
}

type Parsed = { value: RespValue | RedisReplyError; next: number } | undefined;

function parseReply(buffer: Buffer, offset: number): Parsed {
  const end = buffer.indexOf('\r\n', offset);
  if (end === -1) return undefined;
  const type = String.fromCharCode(buffer[offset] ?? 0);
  const line = buffer.toString('utf8', offset + 1, end);
  const next = end + 2;
  switch (type) {
    case '+':
      return { value: line, next };
    case '-':
      return { value: new RedisReplyError(line), next };
    case ':':
      return { value: Number(line), next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, next };
      if (buffer.length < next + length + 2) return undefined;
      return { value: buffer.toString('utf8', next, next + length), next: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, next };
      const items: RespValue[] = [];
      let position = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, position);
        if (!item) return undefined;
        if (item.value instanceof RedisReplyError) return item;
        items.push(item.value);
        position = item.next;
      }
      return { value: items, next: position };
    }
    default:
      return {
        value: new RedisReplyError(`unexpected RESP reply type ${JSON.stringify(type)}`),
        next,
      };
  }
}
