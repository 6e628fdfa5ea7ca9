import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../free-port.js';
import { RawWsClient } from '../raw-ws-client.js';
import { sendDeweyControl } from './dewey-control-client.js';

const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const main = fileURLToPath(new URL('./dewey-emulator-main.ts', import.meta.url));

describe('dewey-emulator-main', () => {
  it('listens where told, is controllable from outside, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--conditions=godot-source', '--import', 'tsx', main], {
      cwd: repoRoot,
      env: { ...process.env, DEWEY_EMULATOR_PORT: String(port), REAL_DEWEY_BUGS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, 'line')) as [string];
      expect(JSON.parse(first)).toEqual({
        msg: 'dewey emulator listening',
        url: `ws://127.0.0.1:${port}`,
        port,
      });
      const client = await RawWsClient.connect(`ws://127.0.0.1:${port}`);
      const logs = [{ component: 'main', level: 'INFO', message: 'hi' }];
      await client.callToolPayload('dewey_store_logs_batch', { logs });
      // REAL_DEWEY_BUGS=1: clear fails like the real Dewey.
      expect((await client.callTool('dewey_clear_logs', {})).error?.code).toBe(-32603);
      await client.close();
      expect(await sendDeweyControl(`ws://127.0.0.1:${port}`, { action: 'count' })).toEqual({
        count: 1,
      });
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      expect(await exited).toEqual([0, null]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
