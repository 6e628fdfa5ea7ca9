import { afterEach, describe, expect, it } from 'vitest';
import type { GodotWorker } from '../godot-worker.js';
import { startWorkerStack, type WorkerStack } from '../worker.fixture.js';

let stack: WorkerStack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** `GET /health` on the worker's port: its status and how long it took. */
async function health(worker: GodotWorker): Promise<{ status: number; ms: number; body: unknown }> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${worker.port}/health`);
  const body = await response.json();
  return { status: response.status, ms: performance.now() - started, body };
}

describe("the worker's /health while Redis is away", () => {
  it('answers 503 within a second while Redis is stopped, and 200 once it is back', async () => {
    stack = await startWorkerStack();
    const worker = await stack.startWorker();
    expect((await health(worker)).status).toBe(200);

    await stack.redis.stop();
    let answers: Awaited<ReturnType<typeof health>>[];
    try {
      answers = [];
      for (let i = 0; i < 3; i++) answers.push(await health(worker));
    } finally {
      await stack.redis.restart();
    }
    console.log(
      `worker /health with Redis stopped: ${answers.map((a) => `${a.status} in ${a.ms.toFixed(0)} ms`).join(', ')}`,
    );
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({ status: 'unhealthy', redis: { up: false } });
      expect(answer.ms).toBeLessThan(1500);
    }
    await expect
      .poll(async () => (await health(worker)).status, { timeout: 10_000, interval: 100 })
      .toBe(200);
  });

  it('answers 503 within a second while Redis is frozen, and 200 once it resumes', async () => {
    stack = await startWorkerStack();
    const worker = await stack.startWorker();
    expect((await health(worker)).status).toBe(200);

    const pid = stack.redis.pid as number;
    process.kill(pid, 'SIGSTOP');
    let answers: Awaited<ReturnType<typeof health>>[];
    try {
      answers = await Promise.all(Array.from({ length: 10 }, () => health(worker)));
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const slowest = Math.max(...answers.map((a) => a.ms));
    console.log(`worker /health with Redis frozen: 10 callers, slowest ${slowest.toFixed(0)} ms`);
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(503));
    expect(slowest).toBeLessThan(1500);
    await expect.poll(async () => (await health(worker)).status, { timeout: 5000 }).toBe(200);
  });
});
