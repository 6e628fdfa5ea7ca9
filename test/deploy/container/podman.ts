/**
 * The podman command line, as the container test drives it. On
 * this kind of machine podman needs three settings to run anything, all set
 * here: a containers.conf with `default_ulimits = []` (else `crun: setrlimit
 * RLIMIT_NOFILE: Operation not permitted`), the runc runtime (crun: `cgroups
 * in hybrid mode not supported`), and host networking (passed by callers).
 * A CONTAINERS_CONF already in the environment is used as it is.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** podman exited non-zero; `stderr` says why. */
export class PodmanError extends Error {
  override readonly name = 'PodmanError';
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(
      `podman ${args.join(' ')} exited ${exitCode}: ${stderr.trim().split('\n').slice(-5).join('\n')}`,
    );
  }
}

/** What the machine is missing to run containers, or undefined when nothing is. */
export function missingTools(): string | undefined {
  const missing = ['podman', 'runc'].filter(
    (tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error !== undefined,
  );
  return missing.length === 0
    ? undefined
    : `${missing.join(', ')} not found: apt-get install -y podman runc mmdebstrap (as .ci/run does)`;
}

/** Options of {@link Podman.create}. */
export interface PodmanOptions {
  /** Directory for the generated containers.conf. */
  dir: string;
  /** Environment of every podman call. @default process.env */
  env?: NodeJS.ProcessEnv;
}

export class Podman {
  readonly env: NodeJS.ProcessEnv;

  private constructor(env: NodeJS.ProcessEnv) {
    this.env = env;
  }

  /** Writes the containers.conf this machine needs (unless CONTAINERS_CONF is set). */
  static async create(options: PodmanOptions): Promise<Podman> {
    const env = { ...(options.env ?? process.env) };
    if (!env.CONTAINERS_CONF) {
      const conf = join(options.dir, 'containers.conf');
      await writeFile(conf, '[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n');
      env.CONTAINERS_CONF = conf;
    }
    return new Podman(env);
  }

  /** Runs podman and returns its stdout; rejects with {@link PodmanError} on a non-zero exit. */
  run(args: readonly string[], timeoutMs = 120_000): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        'podman',
        args,
        { env: this.env, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (!error) resolve(stdout);
          else {
            const code = typeof error.code === 'number' ? error.code : null;
            reject(new PodmanError(args, code, `${stderr}${error.killed ? ' (timed out)' : ''}`));
          }
        },
      );
    });
  }

  /** Like {@link run}, but failures resolve to undefined: for cleanup. */
  async try(args: readonly string[]): Promise<string | undefined> {
    return this.run(args).catch(() => undefined);
  }

  /**
   * Runs a long command (a build) with its output appended to `logPath`;
   * rejects with the log's last lines on a non-zero exit.
   */
  runLogged(command: string, args: readonly string[], logPath: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const log = createWriteStream(logPath, { flags: 'a' });
      const child = spawn(command, args, { env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
      let tail = '';
      const keep = (chunk: Buffer) => {
        log.write(chunk);
        tail = (tail + chunk.toString()).slice(-8000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      child.once('error', reject);
      child.once('close', (code) => {
        log.end();
        if (code === 0) resolve();
        else reject(new PodmanError([command, ...args], code, tail));
      });
    });
  }

  /** A container's state: `running`, `exited`, …, and its exit code. */
  async state(container: string): Promise<{ status: string; exitCode: number }> {
    const out = await this.run([
      'inspect',
      '--type',
      'container',
      '--format',
      '{{.State.Status}} {{.State.ExitCode}}',
      container,
    ]);
    const [status = '', exitCode = ''] = out.trim().split(' ');
    return { status, exitCode: Number(exitCode) };
  }

  /**
   * Removes every container, volume and image whose name starts with one of
   * `prefixes` (images by `repository:tag`); failures are ignored.
   */
  async removeNamed(prefixes: readonly string[]): Promise<void> {
    const names = async (args: string[]) =>
      ((await this.try(args)) ?? '')
        .split('\n')
        .filter((name) => prefixes.some((prefix) => name.startsWith(prefix)));
    for (const name of await names(['ps', '--all', '--format={{.Names}}']))
      await this.try(['rm', '--force', '--time=5', name]);
    for (const name of await names(['volume', 'ls', '--format={{.Name}}']))
      await this.try(['volume', 'rm', '--force', name]);
    for (const name of await names(['images', '--format={{.Repository}}:{{.Tag}}']))
      await this.try(['rmi', '--force', name]);
  }

  /** stdout and stderr of a container so far (they interleave by line). */
  async logs(container: string): Promise<string> {
    return new Promise((resolve) => {
      execFile(
        'podman',
        ['logs', container],
        { env: this.env, maxBuffer: 64 * 1024 * 1024 },
        (_e, out, err) => resolve(`${out}${err}`),
      );
    });
  }
}
