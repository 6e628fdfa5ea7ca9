/**
 * The Dewey emulator as its own process for `pnpm bench`, plus a record of
 * when each row was stored. It runs testkit's `DeweyEmulator`, exactly as
 * `packages/testkit/src/dewey/dewey-emulator-main.ts` does, and subscribes to its
 * `onStore` in-process: the store time is taken in the emulator's own process
 * the moment a batch is committed, so queued→stored latency includes the
 * worker's batching, the Dewey call and its reply path up to the store, and
 * nothing of the bench's polling. (testkit's `emulator/control` `stored`
 * action returns rows without a store time, and testkit is not ours to change.)
 *
 * Environment: `DEWEY_EMULATOR_PORT` (Dewey's WebSocket), `BENCH_CONTROL_PORT`
 * (HTTP, 127.0.0.1): `GET /stats` → `{rows, lastStoredAt}`; `POST /take` →
 * `{messages, storedAt, createdAt}` (epoch ms, one per row) and forgets them.
 */
import { createServer } from 'node:http';
import { DeweyEmulator } from '@godot/testkit';

const port = Number(process.env.DEWEY_EMULATOR_PORT);
const controlPort = Number(process.env.BENCH_CONTROL_PORT);
const emulator = await DeweyEmulator.start({ port, host: '127.0.0.1' });

let messages: string[] = [];
let storedAt: number[] = [];
let createdAt: number[] = [];
let lastStoredAt = 0;
emulator.onStore((rows) => {
  const now = Date.now();
  lastStoredAt = now;
  for (const row of rows) {
    messages.push(row.message);
    storedAt.push(now);
    createdAt.push(row.created_at.getTime());
  }
  // Rows are recorded here; the emulator's own copy only costs memory.
  emulator.clear();
});

const control = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/stats') {
    res.end(JSON.stringify({ rows: messages.length, lastStoredAt }));
  } else if (req.method === 'POST' && req.url === '/take') {
    res.end(JSON.stringify({ messages, storedAt, createdAt }));
    messages = [];
    storedAt = [];
    createdAt = [];
  } else res.writeHead(404).end();
});
await new Promise<void>((resolve) => control.listen(controlPort, '127.0.0.1', resolve));
process.stdout.write(`${JSON.stringify({ msg: 'bench emulator listening', url: emulator.url })}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    control.close();
    void emulator.close().then(() => process.exit(0));
  });
}
