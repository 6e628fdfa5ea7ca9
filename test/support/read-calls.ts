import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { expect } from 'vitest';

/** An entry as the read tools return it, for the tests' assertions. */
export interface ReadEntry {
  component: string;
  level: string;
  message: string;
  trace_id: string | null;
  data: Record<string, unknown> | null;
  created_at: string;
}

/**
 * Calls a tool that must succeed: fails the test with the tool's text
 * otherwise. Resolves with its `structuredContent` and its text.
 */
export async function callOk<T>(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ reply: T; text: string }> {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  const text = (result.content as { text: string }[])[0]?.text ?? '';
  return { reply: result.structuredContent as T, text };
}
