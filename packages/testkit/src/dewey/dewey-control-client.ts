import { RawWsClient } from '../raw-ws-client.js';
import { DEWEY_CONTROL_METHOD, type DeweyControlParams } from './dewey-control.js';

/**
 * Sends one `emulator/control` request to an emulator at `url` (possibly in
 * another process) on a connection of its own, and returns its result.
 * Throws when the emulator answers with an error (a real Dewey answers -32601).
 */
export async function sendDeweyControl(
  url: string,
  params: DeweyControlParams,
  timeoutMs = 5000,
): Promise<unknown> {
  const client = await RawWsClient.connect(url, { timeoutMs });
  try {
    const reply = await client.request(DEWEY_CONTROL_METHOD, params);
    if (reply.error) {
      throw Object.assign(new Error(`emulator/control failed: ${reply.error.message}`), {
        code: reply.error.code,
      });
    }
    return reply.result;
  } finally {
    // `drop` may already have cut this connection.
    await client.close();
  }
}
