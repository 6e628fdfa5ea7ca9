import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { exponentialDelayMs, PoissonPacer } from './poisson-pacer.js';

/** A seeded uniform [0, 1) source (mulberry32), so the draws are the same every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('exponentialDelayMs', () => {
  it('draws waits whose mean is 1000 / rate ms and whose spread is that of an exponential', () => {
    const random = seeded(7);
    const waits = Array.from({ length: 20_000 }, () => exponentialDelayMs(50, random));
    const mean = waits.reduce((a, b) => a + b, 0) / waits.length;
    expect(mean).toBeGreaterThan(19);
    expect(mean).toBeLessThan(21);
    // An exponential's median is ln 2 × its mean; even spacing would put it at the mean.
    const median = [...waits].sort((a, b) => a - b)[waits.length / 2] as number;
    expect(median / mean).toBeGreaterThan(0.65);
    expect(median / mean).toBeLessThan(0.74);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
  });

  it('stays finite when the source returns 0', () => {
    expect(exponentialDelayMs(10, () => 0)).toBe(0);
    expect(Number.isFinite(exponentialDelayMs(10, () => 0.999_999_999))).toBe(true);
  });
});

describe('PoissonPacer', () => {
  it('sends about rate × time calls, on time when each is answered at once', async () => {
    let sent = 0;
    let late = 0;
    let skipped = 0;
    const from = performance.now();
    const pacer = new PoissonPacer({
      ratePerSecond: 400,
      until: from + 1000,
      random: seeded(1),
      send: (lateMs) => {
        sent += 1;
        if (lateMs !== undefined) late += 1;
        return Promise.resolve();
      },
      onSkipped: () => {
        skipped += 1;
      },
    });
    pacer.start(from);
    await sleep(1100);
    pacer.stop();
    // Poisson: mean 400, standard deviation 20.
    expect(sent).toBeGreaterThan(320);
    expect(sent).toBeLessThan(480);
    expect(late).toBe(0);
    expect(skipped).toBe(0);
  });

  it('never has two calls outstanding: one due meanwhile goes out on the reply, counted late', async () => {
    let outstanding = 0;
    let most = 0;
    const lates: number[] = [];
    let sent = 0;
    const from = performance.now();
    const pacer = new PoissonPacer({
      // Mean gap 10 ms, each reply takes 30 ms: most calls fall due while one is out.
      ratePerSecond: 100,
      until: from + 600,
      random: seeded(2),
      send: async (lateMs) => {
        sent += 1;
        if (lateMs !== undefined) lates.push(lateMs);
        outstanding += 1;
        most = Math.max(most, outstanding);
        await sleep(30);
        outstanding -= 1;
      },
      onSkipped: () => {},
    });
    pacer.start(from);
    await sleep(800);
    pacer.stop();
    expect(most).toBe(1);
    expect(sent).toBeGreaterThan(10);
    expect(lates.length).toBeGreaterThan(sent / 2);
    expect(lates.every((ms) => ms >= 0)).toBe(true);
  });

  it('skips a due call it cannot send, and those still waiting when stopped', async () => {
    let skipped = 0;
    let answer: () => void = () => {};
    const from = performance.now();
    const pacer = new PoissonPacer({
      ratePerSecond: 200,
      until: from + 10_000,
      random: seeded(3),
      // The first call is never answered: every later one waits behind it.
      send: () => (skipped === 0 ? new Promise<void>((resolve) => (answer = resolve)) : undefined),
      onSkipped: () => {
        skipped += 1;
      },
    });
    pacer.start(from);
    await sleep(300);
    pacer.stop();
    expect(skipped).toBeGreaterThan(20);
    const waiting = skipped;
    answer();
    await sleep(50);
    expect(skipped).toBe(waiting);
  });

  it('refuses a rate that is not positive', () => {
    expect(
      () => new PoissonPacer({ ratePerSecond: 0, until: 0, send: () => undefined, onSkipped() {} }),
    ).toThrow(RangeError);
  });
});
