import { describe, expect, it } from 'vitest';
import { classifyReply, INITIALIZE_ID, initializeFrame, logCallFrame } from './log-call.js';

describe('log call frames', () => {
  it('initialize and logger_log are plain JSON-RPC requests', () => {
    expect(JSON.parse(initializeFrame())).toEqual({
      jsonrpc: '2.0',
      id: INITIALIZE_ID,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: '@godot/client', version: '0.1.0' },
      },
    });
    const entry = { component: 'c', level: 'INFO', message: 'm', trace_id: null, data: null };
    expect(JSON.parse(logCallFrame(7, entry))).toEqual({
      jsonrpc: '2.0',
      id: 7,
      method: 'tools/call',
      params: { name: 'logger_log', arguments: entry },
    });
  });
});

describe('classifyReply', () => {
  it('acks a result, a tool error is refused without a code', () => {
    expect(classifyReply({ id: 1, result: { content: [{ type: 'text', text: '{}' }] } })).toEqual({
      kind: 'acked',
    });
    expect(
      classifyReply({ id: 1, result: { isError: true, content: [{ type: 'text', text: 'bad' }] } }),
    ).toEqual({ kind: 'refused', reason: 'bad' });
    expect(classifyReply({ id: 1, result: { isError: true } })).toEqual({
      kind: 'refused',
      reason: 'tool error',
    });
  });

  it('-32005 is busy; any other JSON-RPC error is refused with its code', () => {
    expect(classifyReply({ id: 1, error: { code: -32005, message: 'too many' } })).toEqual({
      kind: 'busy',
    });
    expect(classifyReply({ id: 1, error: { code: -32602, message: 'Invalid params' } })).toEqual({
      kind: 'refused',
      reason: 'Invalid params',
      code: -32602,
    });
  });
});
