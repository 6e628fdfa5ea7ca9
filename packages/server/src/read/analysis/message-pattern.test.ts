import { describe, expect, it } from 'vitest';
import { MAX_INPUT_CHARS, MAX_PATTERN_CHARS, messagePattern } from './message-pattern.js';

describe('messagePattern', () => {
  it('folds the values in messages an MCP fleet logs', () => {
    const cases: [string, string][] = [
      ['MCP request received', 'MCP request received'],
      [
        'Tool "weather_lookup" failed after 3 retries in 1532ms',
        'Tool "<str>" failed after <n> retries in <n>ms',
      ],
      ['Connected to redis at 10.0.0.12:6379', 'Connected to redis at <ip>'],
      ['peer 192.168.1.20 closed', 'peer <ip> closed'],
      ['trace 0b9e4ad6-7a8e-4f7a-9a57-3c1d9c8f1e2a done in 12.5ms.', 'trace <uuid> done in <n>ms.'],
      ['JSON-RPC error -32603: Internal error', 'JSON-RPC error <n>: Internal error'],
      [
        'session 8f3a9b2c1d4e expired at 2026-12-04T18:19:21.123Z',
        'session <hex> expired at <time>',
      ],
      ['row from 2026-11-25T10:00:00.123456+00:00', 'row from <time>'],
      [
        'listening on localhost:8080 since 2026-11-25 10:00:00.123456',
        'listening on localhost:<n> since <time> <time>',
      ],
      [
        "can't reach 'db-primary' for user bob@example.com",
        'can\'t reach "<str>" for user <email>',
      ],
      ['job-12345 finished, req_8f3a9b2c1d, worker-3', 'job-<n> finished, req_<hex>, worker-3'],
      [
        'payload 5MB exceeds the 1MB limit, 1h30m timeout, flags 0x1F',
        'payload <n>MB exceeds the <n>MB limit, <n>h<n>m timeout, flags <hex>',
      ],
      ['api key V1StGXR8_Z5jdHi6B-myT refused', 'api key <id> refused'],
      ['GET /api/v1/users/12345?page=2 200 OK', 'GET /api/v1/users/<n>?page=<n> <n> OK'],
      ['at Object.<anonymous> (file.ts:42:13)', 'at Object.<anonymous> (file.ts:<n>:<n>)'],
      ['params {"name":"search","id":7}', 'params {"<str>":"<str>","<str>":<n>}'],
      ['50% done, 3/5 batches, -1.5e3 drift', '<n>% done, <n>/<n> batches, <n> drift'],
      ['queue depth 1.2.3 and version v1.2.3', 'queue depth <n> and version v1.2.3'],
      ['commit a3f9c2e1b7 deployed', 'commit <hex> deployed'],
    ];
    for (const [message, pattern] of cases) expect(messagePattern(message), message).toBe(pattern);
  });

  it('keeps words that merely contain digits', () => {
    const message = 'using utf8, utf-8, sha256, x86_64, v2, http2 and base64 for component_v2_name';
    expect(messagePattern(message)).toBe(message);
  });

  it('leaves hex-letter words and apostrophes alone', () => {
    expect(messagePattern('cafe decaf deadbeef accessed')).toBe('cafe decaf deadbeef accessed');
    expect(messagePattern("it's the server's fault, isn't it")).toBe(
      "it's the server's fault, isn't it",
    );
  });

  it('groups messages that differ only by values', () => {
    const messages = [
      'Tool "weather" took 12ms for 0b9e4ad6-7a8e-4f7a-9a57-3c1d9c8f1e2a from 10.0.0.1:5000',
      'Tool "geo.lookup" took 1530ms for 9c1f3a2b-0000-4000-8000-00000000abcd from 10.0.7.9:61234',
      "Tool 'x' took 0.5ms for 11111111-2222-4333-8444-555555555555 from 127.0.0.1",
    ];
    expect(new Set(messages.map(messagePattern))).toEqual(
      new Set(['Tool "<str>" took <n>ms for <uuid> from <ip>']),
    );
  });

  it('folds whitespace runs and control characters into one space, so a pattern is one line', () => {
    expect(messagePattern('line1\nline2\t\ttab   spaces\u0001ctrl\u0085c1\r\n')).toBe(
      'line1 line2 tab spaces ctrl c1 ',
    );
    expect(messagePattern('Error: boom\n    at run (/app/src/run.ts:12:5)')).toBe(
      'Error: boom at run (/app/src/run.ts:<n>:<n>)',
    );
    expect(messagePattern('a b')).toBe('a b');
  });

  it('drops ANSI colour sequences whole', () => {
    expect(messagePattern('\u001b[31mERROR\u001b[0m: code \u009b1;32mok')).toBe('ERROR: code ok');
    expect(messagePattern('lone \u001b escape [5]')).toBe('lone escape [<n>]');
  });

  it('leaves an unclosed or overlong quote as it is', () => {
    expect(messagePattern('say "hello')).toBe('say "hello');
    const long = `"${'a'.repeat(400)}" 7`;
    expect(messagePattern(long).startsWith('"aaa')).toBe(true);
    expect(messagePattern('a "multi\nline" 7')).toBe('a "multi line" <n>');
  });

  it('keeps non-ASCII text and caps the pattern length without splitting a surrogate pair', () => {
    expect(messagePattern('température 21°C, ünïcödé 😀 ok')).toBe(
      'température <n>°C, ünïcödé 😀 ok',
    );
    const long = `${'x'.repeat(MAX_PATTERN_CHARS - 2)}😀 tail 123`;
    const pattern = messagePattern(long);
    expect(pattern.length).toBeLessThanOrEqual(MAX_PATTERN_CHARS);
    expect(pattern.endsWith('…')).toBe(true);
    expect(pattern).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(messagePattern('word '.repeat(10 * MAX_INPUT_CHARS)).length).toBe(MAX_PATTERN_CHARS);
  });

  it('stays linear on hostile input', () => {
    for (const hostile of [
      '"'.repeat(50_000),
      "'".repeat(50_000),
      ' \n'.repeat(50_000),
      `${'-'.repeat(50_000)}1`,
      `${'a1'.repeat(50_000)}`,
      '@'.repeat(50_000),
      `${'"'}${'\\'.repeat(50_000)}`,
    ]) {
      expect(messagePattern(hostile).length).toBeLessThanOrEqual(MAX_PATTERN_CHARS);
    }
  });
});
