import { DeweyRejectedError, DeweyUnavailableError } from '@godot/shared';
import { DeweyEmulator } from '@godot/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectClient,
  errorText,
  payload,
  type ServerStack,
  startServerStack,
} from '../server.fixture.js';
import { isDeweyTimeBug } from './dewey-time-bug.js';

const BUG =
  "Internal error: invalid input for query argument $1: '2026-11-24T00:00:00Z' (expected a datetime.date or datetime.datetime instance, got 'str')";

describe('isDeweyTimeBug', () => {
  it('is a -32603 rejection that names the datetime, nothing else', () => {
    expect(isDeweyTimeBug(new DeweyRejectedError(-32603, BUG))).toBe(true);
    expect(isDeweyTimeBug(new DeweyRejectedError(-32000, BUG))).toBe(false);
    expect(isDeweyTimeBug(new DeweyRejectedError(-32603, 'Internal error: invalid UUID'))).toBe(
      false,
    );
    expect(isDeweyTimeBug(new DeweyUnavailableError('timeout', BUG))).toBe(false);
    expect(isDeweyTimeBug(new Error(BUG))).toBe(false);
  });
});

describe('logger_clear, Dewey with and without its bug', () => {
  let stack: ServerStack;
  let buggy: DeweyEmulator;

  beforeAll(async () => {
    [stack, buggy] = await Promise.all([
      startServerStack(),
      DeweyEmulator.start({ realDeweyBugs: true }),
    ]);
  });
  afterAll(async () => {
    await Promise.allSettled([stack?.close(), buggy?.close()]);
  });

  const seed = async (dewey: DeweyEmulator) => {
    const probe = await connectClient(dewey.url);
    await probe.callTool({
      name: 'dewey_store_logs_batch',
      arguments: {
        logs: [
          { component: 'old', level: 'INFO', message: 'm', created_at: '2026-01-01T00:00:00Z' },
        ],
      },
    });
    await probe.close();
  };

  it('says plainly that Dewey cannot clear, that nothing was deleted, whatever the input', async () => {
    await seed(buggy);
    const client = await connectClient((await stack.start({ DEWEY_URL: buggy.url })).url);
    try {
      for (const args of [{}, { before_time: '2026-11-24' }, { component: 'old', level: 'info' }]) {
        const text = errorText(await client.callTool({ name: 'logger_clear', arguments: args }));
        expect(text).toMatch(/^Dewey cannot run logger_clear: /);
        expect(text).toContain('a known Dewey bug');
        expect(text).toContain('Nothing was deleted');
        expect(text).toContain('no choice of before_time, component or level avoids the failure');
        // Dewey's own words come last.
        expect(text).toMatch(
          /Dewey said \(-32603\): Internal error: invalid input for query argument \$1: .*expected a datetime/,
        );
      }
      expect(buggy.storedCount).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('keeps the usual wording for any other Dewey rejection', async () => {
    const client = await connectClient((await stack.start({ DEWEY_URL: buggy.url })).url);
    try {
      buggy.rejectNext(1, { code: -32603, message: 'Internal error: connection pool closed' });
      expect(errorText(await client.callTool({ name: 'logger_clear', arguments: {} }))).toBe(
        'Dewey rejected logger_clear (-32603): Internal error: connection pool closed',
      );
    } finally {
      await client.close();
    }
  });

  it('clears through a Dewey without the bug, structuredContent and text alike', async () => {
    stack.dewey.clear();
    await seed(stack.dewey);
    const client = await connectClient((await stack.start()).url);
    try {
      const result = await client.callTool({
        name: 'logger_clear',
        arguments: { before_time: '2026-02-01' },
      });
      expect(payload(result)).toEqual({ status: 'ok', deleted_count: 1 });
      expect(result.structuredContent).toEqual({ status: 'ok', deleted_count: 1 });
      expect(stack.dewey.storedCount).toBe(0);
    } finally {
      await client.close();
    }
  });
});
