import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerStack, startServerStack } from '../server.fixture.js';

describe('GET /metrics while Redis is frozen', () => {
  let stack: ServerStack;
  let base: string;

  beforeAll(async () => {
    stack = await startServerStack();
    base = `http://127.0.0.1:${(await stack.start()).port}`;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers within about a second, without a queue depth, and with it once Redis resumes', async () => {
    expect(await (await fetch(`${base}/metrics`)).text()).toMatch(
      /^godot_queue_depth\{state="waiting"\} 0$/m,
    );
    const pid = stack.redis.pid as number;
    process.kill(pid, 'SIGSTOP');
    let status: number;
    let text: string;
    let elapsedMs: number;
    try {
      const started = performance.now();
      const response = await fetch(`${base}/metrics`);
      text = await response.text();
      status = response.status;
      elapsedMs = performance.now() - started;
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    console.log(`/metrics with Redis frozen: ${status} in ${elapsedMs.toFixed(0)} ms`);
    expect(status).toBe(200);
    expect(elapsedMs).toBeLessThan(1500);
    expect(text).toMatch(/^# TYPE godot_queue_depth gauge$/m);
    // A stale depth would look like a live one: none is shown.
    expect(text).not.toMatch(/^godot_queue_depth\{/m);
    expect(text).toMatch(/^godot_dewey_up 1$/m);

    await expect
      .poll(async () => (await fetch(`${base}/metrics`)).text())
      .toMatch(/^godot_queue_depth\{state="waiting"\} 0$/m);
  });
});
