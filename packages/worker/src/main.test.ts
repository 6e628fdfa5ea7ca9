import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { workerHeartbeatKey } from '@godot/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { startWorkerStack, type WorkerStack } from './worker.fixture.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

let stack: WorkerStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('the worker process', () => {
  it('exits 2 naming the variable when the configuration is bad', async () => {
    const child = spawn(process.execPath, ['--conditions=godot-source', '--import', 'tsx', MAIN], {
      env: { ...process.env, REDIS_URL: 'http://nope' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(output).toContain(
      'invalid configuration: REDIS_URL: must be a URL starting with redis://',
    );
  });

  it('serves /health and /metrics on its own port and beats for the server', async () => {
    stack = await startWorkerStack();
    const worker = await stack.startWorker();
    const health = await fetch(`http://127.0.0.1:${worker.port}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', redis: { up: true }, dewey: { up: true } });
    await stack.enqueue(3);
    await stack.dewey.waitForRows(3);
    const scrape = async () => (await fetch(`http://127.0.0.1:${worker.port}/metrics`)).text();
    // Dewey stores before the worker hears back: wait for the count.
    await expect.poll(scrape).toMatch(/^godot_logs_delivered_total 3$/m);
    const metrics = await scrape();
    expect(metrics).toMatch(/^godot_batches_total\{outcome="delivered"\} 1$/m);
    expect(metrics).toContain('godot_batch_duration_seconds_bucket');
    const [workerId, beat] = await stack.raw.zrange(
      workerHeartbeatKey(stack.config.QUEUE_NAME),
      0,
      -1,
      'WITHSCORES',
    );
    expect(workerId).toBeDefined();
    expect(Date.now() - Number(beat)).toBeGreaterThanOrEqual(0);
  });
});
