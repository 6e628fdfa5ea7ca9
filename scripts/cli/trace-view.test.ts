import { describe, expect, it } from 'vitest';
import { stripControlChars } from '../terminal-text.js';
import type { ReadEntry, TraceReply } from './read-replies.js';
import { formatMs, formatTrace } from './trace-view.js';

/** Any C0 control but tab and line feed, DEL, or any C1 control. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point of the check
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const TRACE = '0b9c5a0e-8a52-4a9e-9f43-3c1f3c7a1d11';

const at = (component: string, level: string, message: string, time: string, data = null) =>
  ({
    component,
    level,
    message,
    trace_id: TRACE,
    data,
    created_at: `2026-01-02T03:04:${time}Z`,
  }) as ReadEntry;

/** A trace as `logger_trace` returns it: relay calls fiedler twice, one call fails, one is never answered. */
const REPLY: Required<Pick<TraceReply, 'logs'>> & TraceReply = {
  logs: [
    at('relay', 'INFO', 'request in', '05.000'),
    at('relay', 'DEBUG', 'calling fiedler', '05.012'),
    at('fiedler', 'ERROR', 'upstream timeout', '05.512'),
    at('relay', 'WARN', 'retrying', '05.520'),
    at('relay', 'INFO', 'gave up', '06.020'),
  ],
  trace_id: TRACE,
  count: 5,
  start: '2026-01-02T03:04:05.000Z',
  end: '2026-01-02T03:04:06.020Z',
  duration_ms: 1020,
  components: [
    {
      component: 'relay',
      first: '2026-01-02T03:04:05.000Z',
      last: '2026-01-02T03:04:06.020Z',
      count: 4,
      errors: 0,
    },
    {
      component: 'fiedler',
      first: '2026-01-02T03:04:05.512Z',
      last: '2026-01-02T03:04:05.512Z',
      count: 1,
      errors: 1,
    },
  ],
  gaps: [
    {
      ms: 500,
      after: {
        component: 'relay',
        message: 'calling fiedler',
        created_at: '2026-01-02T03:04:05.012Z',
      },
      before: {
        component: 'fiedler',
        message: 'upstream timeout',
        created_at: '2026-01-02T03:04:05.512Z',
      },
    },
  ],
  exchanges: [
    {
      component: 'relay',
      id: 7,
      method: 'tools/call',
      request_at: '2026-01-02T03:04:05.012Z',
      response_at: '2026-01-02T03:04:05.520Z',
      latency_ms: 508,
      outcome: 'error',
      error_code: -32001,
      error_message: 'Request timed out',
    },
    {
      component: 'relay',
      id: 'b-8',
      method: 'tools/list',
      request_at: '2026-01-02T03:04:05.520Z',
      response_at: null,
      latency_ms: null,
      outcome: 'no response',
    },
    {
      component: 'relay',
      id: 9,
      method: 'ping',
      request_at: '2026-01-02T03:04:05.600Z',
      response_at: '2026-01-02T03:04:05.600Z',
      latency_ms: 0.25,
      outcome: 'ok',
    },
  ],
  errors: 1,
};

describe('formatTrace', () => {
  it('prints the header, each entry at its offset, the exchanges and the gaps', () => {
    expect(formatTrace(REPLY, { today: '2026-01-02' }).split('\n')).toEqual([
      `trace ${TRACE}  ·  5 entries  ·  1020 ms  ·  1 error`,
      'from 03:04:05.000 → 03:04:06.020 (UTC)',
      'components: relay (4), fiedler (1, 1 error)',
      '',
      '   +0 ms  relay    INFO   request in',
      '  +12 ms  relay    DEBUG  calling fiedler',
      ' +512 ms  fiedler  ERROR  upstream timeout',
      ' +520 ms  relay    WARN   retrying',
      '+1020 ms  relay    INFO   gave up',
      '',
      'exchanges',
      'component  method      id   latency      error',
      '---------  ----------  ---  -----------  ------------------------',
      'relay      tools/call  7    508 ms       -32001 Request timed out',
      'relay      tools/list  b-8  no response',
      'relay      ping        9    0.25 ms',
      '',
      'largest gaps',
      '  500 ms after relay "calling fiedler" (03:04:05.012), before fiedler "upstream timeout" (03:04:05.512)',
    ]);
  });

  it('offsets Dewey times to the microsecond, and marks a time it cannot read', () => {
    const reply: TraceReply = {
      ...REPLY,
      logs: [
        { ...at('a', 'INFO', 'one', '05.000'), created_at: '2026-01-02T03:04:05.000100' },
        { ...at('a', 'INFO', 'two', '05.000'), created_at: '2026-01-02T03:04:05.001350' },
        { ...at('a', 'INFO', 'three', '05.000'), created_at: 'not a time' },
      ],
      count: 3,
      start: '2026-01-02T03:04:05.000100',
      exchanges: [],
      gaps: [],
    };
    const lines = formatTrace(reply).split('\n');
    expect(lines).toContain('   +0 ms  a  INFO   one');
    expect(lines).toContain('+1.25 ms  a  INFO   two');
    expect(lines).toContain('       ?  a  INFO   three');
  });

  it('says when the trace has no entries, and what is missing from a reply', () => {
    const empty: TraceReply = {
      ...REPLY,
      logs: [],
      count: 0,
      start: null,
      end: null,
      duration_ms: null,
      components: [],
      exchanges: [],
      gaps: [],
      errors: 0,
    };
    expect(formatTrace(empty)).toBe(`trace ${TRACE}: no entries`);
    expect(formatTrace({ ...empty, dewey_error: 'Dewey unavailable (connect)' })).toBe(
      `trace ${TRACE}: no entries (Dewey could not be asked, entries of the recent window only: Dewey unavailable (connect))`,
    );
    const partial = formatTrace({
      ...REPLY,
      logs: REPLY.logs.slice(0, 2),
      exchanges_total: 80,
      dewey_limited: true,
    });
    expect(partial).toContain('(2 of the 5 entries: the rest did not fit in the reply)');
    expect(partial).toContain('(the first 3 of 80 exchanges)');
    expect(partial).toContain('(Dewey gave its most rows: older entries may be missing)');
  });

  it('prints nothing an entry holds as a control sequence; colours only the levels, when asked', () => {
    const hostile = 'x\u001b]0;pwned\u0007\u001b[2J\r\nover\u009b1Ay';
    const reply: TraceReply = {
      ...REPLY,
      trace_id: hostile,
      logs: REPLY.logs.map((entry) => ({ ...entry, component: hostile, message: hostile })),
      components: REPLY.components.map((part) => ({ ...part, component: hostile })),
      exchanges: REPLY.exchanges.map((exchange) => ({
        ...exchange,
        method: hostile,
        error_message: hostile,
      })),
      gaps: REPLY.gaps.map((gap) => ({ ...gap, after: { ...gap.after, message: hostile } })),
      dewey_error: hostile,
    };
    const plain = formatTrace(reply);
    expect(plain).not.toMatch(CONTROL);
    expect(plain).toContain('x overy');
    const colored = formatTrace(reply, { color: true });
    expect(stripControlChars(colored)).toBe(plain);
    expect(colored).toContain('\u001b[31mERROR\u001b[0m');
  });
});

describe('formatMs', () => {
  it('keeps up to three decimals, without trailing zeros', () => {
    expect(formatMs(1020)).toBe('1020 ms');
    expect(formatMs(1.2504)).toBe('1.25 ms');
    expect(formatMs(0.001)).toBe('0.001 ms');
  });
});
