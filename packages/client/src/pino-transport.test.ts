import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GodotStack, startGodotStack } from './godot-stack.fixture.js';
import { REDACTED } from './redact.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

describe('@godot/client/pino end to end', () => {
  let stack: GodotStack;
  beforeAll(async () => {
    // pino runs the transport in a worker thread, which loads the target with
    // plain Node: point it at the built module (what `@godot/client/pino` resolves to).
    // The built client imports the built `@godot/wire`: build that first.
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    for (const dir of [fileURLToPath(new URL('../../wire', import.meta.url)), packageDir]) {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: dir });
    }
    stack = await startGodotStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('maps levels, msg, trace ids and other fields, and masks secrets', async () => {
    const transport = pino.transport({
      target: `${packageDir}dist/pino-transport.js`,
      options: { url: stack.url, component: 'pino-app', level: 'DEBUG' },
    });
    const logger = pino({ level: 'trace' }, transport);
    const traceId = '6f1c2a8e-0d4b-4b6e-9b1a-2f3e4d5c6b7a';
    logger.trace('not sent: below DEBUG');
    logger.debug('debugging');
    logger.info({ ms: 42, trace_id: traceId, password: 'hunter2' }, 'request done');
    logger.warn('careful');
    logger.error(new Error('bad thing'), 'failed');
    logger.fatal('the end');
    // Flush asynchronously first: `transport.end()` blocks this thread, where
    // the test's Godot server runs, until the worker is done.
    await new Promise<void>((resolve, reject) =>
      logger.flush((error) => (error ? reject(error) : resolve())),
    );

    await expect
      .poll(() => stack.dewey.stored().filter((row) => row.component === 'pino-app'), {
        timeout: 10_000,
      })
      .toHaveLength(5);
    const rows = stack.dewey.stored().filter((row) => row.component === 'pino-app');
    expect(rows.map((row) => [row.level, row.message])).toEqual([
      ['DEBUG', 'debugging'],
      ['INFO', 'request done'],
      ['WARN', 'careful'],
      ['ERROR', 'failed'],
      ['ERROR', 'the end'],
    ]);
    const info = rows[1];
    expect(info?.trace_id).toBe(traceId);
    expect(info?.data).toMatchObject({ ms: 42, password: REDACTED, pid: process.pid });
    expect(info?.data).toHaveProperty('hostname');
    expect(info?.data).toHaveProperty('time');
    expect(info?.data).not.toHaveProperty('msg');
    expect(rows[3]?.data).toMatchObject({ err: { type: 'Error', message: 'bad thing' } });
    transport.end();
    await once(transport, 'close');
  });
});
