import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadGenerator } from './load-generator.js';
import { TestStack } from './stack/test-stack.js';

let stack: TestStack;
let url: string;

beforeAll(async () => {
  stack = await TestStack.start({ queuePrefix: 'load-generator' });
  const server = await stack.startServer();
  url = `ws://127.0.0.1:${server.port}/`;
});

afterAll(async () => {
  await stack?.close();
});

describe('LoadGenerator', () => {
  it("paces 'poisson': about rate × time calls, spread over every socket, each acknowledged", async () => {
    const result = await LoadGenerator.run({
      url,
      connections: 50,
      pacing: 'poisson',
      rate: 400,
      durationMs: 1500,
      prefix: 'poisson',
      recordTimings: true,
    });
    // Poisson: mean 600, standard deviation about 24.
    expect(result.sent).toBeGreaterThan(480);
    expect(result.sent).toBeLessThan(720);
    expect(result.connects).toBe(50);
    expect(result.acknowledged.size).toBe(result.sent);
    expect(result.latenciesMs).toHaveLength(result.sent);
    expect({ hung: result.hung, refused: result.refused, notSent: result.notSent }).toEqual({
      hung: [],
      refused: [],
      notSent: 0,
    });
    // 50 sockets at 8 calls/s each: a call rarely falls due within the previous one's round trip.
    expect(result.late).toBeLessThan(result.sent / 10);
    expect([...result.acknowledged.keys()].sort()).toEqual(
      Array.from({ length: result.sent }, (_, n) => `poisson-${n}`).sort(),
    );
  });

  it("paces 'tick' by default, as before", async () => {
    const result = await LoadGenerator.run({ url, rate: 500, durationMs: 600, prefix: 'tick' });
    expect(result.sent).toBeGreaterThan(200);
    expect(result.sent).toBeLessThanOrEqual(300);
    expect(result.acknowledged.size).toBe(result.sent);
    expect(result.late).toBe(0);
  });
});
