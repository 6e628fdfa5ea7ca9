import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '@godot/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The README's run command as a newcomer types it: a clean clone of the
 * committed tree, `pnpm install`, `pnpm dev`, the CLI, then Ctrl-C (SIGINT to
 * the whole foreground process group, as a terminal sends it).
 */
describe('pnpm dev from a clean clone', () => {
  let dir: string;
  let dev: ChildProcess | undefined;
  let output = '';
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'godot-clone-'));
    await run('git', ['clone', '--quiet', repo, dir]);
    await run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline'], { cwd: dir });
  }, 180_000);

  afterAll(async () => {
    // Only if the test failed before Ctrl-C: the group is gone otherwise.
    if (dev?.pid && dev.exitCode === null && dev.signalCode === null) {
      try {
        process.kill(-dev.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    // The children of a killed `pnpm dev` may outlive it: end whatever still runs from the clone.
    if (dir) {
      const { stdout } = await run('ps', ['-eo', 'pid=,args=']);
      for (const line of stdout.split('\n')) {
        const [pid, ...args] = line.trim().split(/\s+/);
        if (args.join(' ').includes(dir) && Number(pid) !== process.pid) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('starts, takes a log from the CLI, queries it back and stops on Ctrl-C', async () => {
    const [port, workerPort, deweyPort] = [await freePort(), await freePort(), await freePort()];
    url = `ws://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      PORT: String(port),
      WORKER_PORT: String(workerPort),
      DEWEY_EMULATOR_PORT: String(deweyPort),
      REDIS_URL: '',
      DEWEY_URL: '',
    };
    dev = spawn('pnpm', ['dev'], {
      cwd: dir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dev.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    dev.stderr?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    await expect
      .poll(() => output, { timeout: 60_000, interval: 250 })
      .toContain('Ctrl-C stops everything');
    expect(output).toContain(`ws://127.0.0.1:${port}/`);
    expect(output).toContain('pnpm godot log');

    const cli = (...args: string[]) =>
      run('pnpm', ['-s', 'godot', ...args, '--url', url], { cwd: dir, env });
    const logged = await cli(
      'log',
      'newcomer',
      'info',
      'hello',
      'from',
      'the',
      'CLI',
      '--data',
      '{"step":1}',
    );
    expect(logged.stdout).toContain('queued: true');
    let rows: { message: string; data: unknown }[] = [];
    await expect
      .poll(
        async () => {
          // --json prints the tool's text: exactly its structuredContent, {"logs": [...]}.
          const reply = JSON.parse(
            (await cli('query', '--component', 'newcomer', '--json')).stdout,
          );
          rows = reply.logs;
          return rows.length;
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    expect(rows[0]).toMatchObject({ message: 'hello from the CLI', data: { step: 1 } });
    const table = await cli('query', '--component', 'newcomer');
    expect(table.stdout).toMatch(/INFO\s+newcomer\s+hello from the CLI/);

    const exited = new Promise<void>((resolve) => dev?.once('exit', () => resolve()));
    process.kill(-(dev.pid as number), 'SIGINT');
    await exited;
    expect(output).toContain('[dev] stopped');
    // Nothing is left listening: the server's port is free again.
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
    const { stdout } = await run('ps', ['-eo', 'args']);
    expect(stdout).not.toContain(dir);
  }, 120_000);
});
