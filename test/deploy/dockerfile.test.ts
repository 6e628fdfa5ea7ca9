/**
 * Static checks of the container build
 * (docs/deploy.md#how-it-is-tested-without-docker): the Dockerfile
 * lints clean with dockerfile-utils (the validator behind VS Code's Docker
 * support; pure JS, works offline), every path it copies from the build
 * context exists and is not excluded by .dockerignore, and the Dockerfile
 * agrees with package.json, deploy/supervisord.conf and docker-compose.yml.
 * No Docker engine is needed; `docker build` itself is not run here (`pnpm
 * container:test`, test/deploy/container/, builds and runs it with podman).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { validate } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** One Dockerfile instruction, continuation lines joined. */
interface Instruction {
  line: number;
  keyword: string;
  args: string;
  /** Name (or index) of the stage it belongs to. */
  stage: string;
}

function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let stage = '';
  let stageCount = 0;
  let pending: { line: number; text: string } | undefined;
  for (const [index, raw] of text.split('\n').entries()) {
    const trimmed = raw.trim();
    if (pending === undefined && (trimmed === '' || trimmed.startsWith('#'))) continue;
    // Comment lines inside a continued instruction are dropped, as Docker does.
    if (pending !== undefined && trimmed.startsWith('#')) continue;
    const continued = trimmed.endsWith('\\');
    const body = continued ? trimmed.slice(0, -1) : trimmed;
    pending = pending
      ? { line: pending.line, text: `${pending.text} ${body}` }
      : { line: index + 1, text: body };
    if (continued) continue;
    const [keyword = '', ...rest] = pending.text.trim().split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      stage = /\bAS\s+(\S+)$/i.exec(args)?.[1] ?? String(stageCount);
      stageCount++;
    }
    instructions.push({ line: pending.line, keyword: keyword.toUpperCase(), args, stage });
    pending = undefined;
  }
  return instructions;
}

/** Sources and flags of a COPY/ADD, shell or JSON form. */
function copyArguments(args: string): { flags: string[]; sources: string[]; dest: string } {
  const words = args.split(/\s+/).filter(Boolean);
  const flags = words.filter((word) => word.startsWith('--'));
  const rest = args.replace(/^(\s*--\S+)*\s*/, '');
  const paths: string[] = rest.startsWith('[')
    ? (JSON.parse(rest) as string[])
    : rest.split(/\s+/).filter(Boolean);
  return { flags, sources: paths.slice(0, -1), dest: paths.at(-1) ?? '' };
}

/** .dockerignore patterns as regular expressions (Go filepath.Match plus `**`). */
function dockerignore(text: string): RegExp[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((pattern) => {
      if (pattern.startsWith('!')) throw new Error(`exceptions are not handled: ${pattern}`);
      const clean = posix.normalize(pattern.replace(/^\/+/, '')).replace(/\/$/, '');
      let source = '';
      for (let i = 0; i < clean.length; i++) {
        const char = clean[i] as string;
        if (clean.startsWith('**/', i)) {
          source += '(?:.*/)?';
          i += 2;
        } else if (clean.startsWith('**', i)) {
          source += '.*';
          i += 1;
        } else if (char === '*') source += '[^/]*';
        else if (char === '?') source += '[^/]';
        else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return new RegExp(`^${source}$`);
    });
}

/** The pattern that excludes `path` or one of its parent directories, if any. */
function excludedBy(path: string, patterns: RegExp[]): RegExp | undefined {
  const segments = posix.normalize(path).replace(/\/$/, '').split('/');
  for (let n = 1; n <= segments.length; n++) {
    const prefix = segments.slice(0, n).join('/');
    const pattern = patterns.find((p) => p.test(prefix));
    if (pattern) return pattern;
  }
  return undefined;
}

const dockerfileText = read('Dockerfile');
const instructions = parseDockerfile(dockerfileText);
const contextCopies = instructions
  .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
  .map((i) => ({ ...i, ...copyArguments(i.args) }))
  .filter((c) => !c.flags.some((flag) => flag.startsWith('--from=')));
const contextSources = contextCopies.flatMap((c) => c.sources);

describe('Dockerfile', () => {
  it('lints clean with dockerfile-utils (no errors, no warnings)', () => {
    const problems = validate(dockerfileText).map(
      (d) => `line ${d.range.start.line + 1}: ${d.message}`,
    );
    expect(problems).toEqual([]);
  });

  it('copies from the build context only paths that exist and are not ignored', () => {
    expect(contextSources.length).toBeGreaterThan(0);
    const patterns = dockerignore(read('.dockerignore'));
    const problems: string[] = [];
    for (const source of contextSources) {
      if (/[*?[]/.test(source)) problems.push(`${source}: wildcards are not checked here`);
      else if (!existsSync(join(root, source))) problems.push(`${source}: missing`);
      const pattern = excludedBy(source, patterns);
      if (pattern) problems.push(`${source}: excluded by .dockerignore (${pattern})`);
    }
    expect(problems).toEqual([]);
  });

  it('copies every workspace manifest before `pnpm install --frozen-lockfile`', () => {
    const manifests = readdirSync(join(root, 'packages'))
      .map((name) => `packages/${name}/package.json`)
      .filter((path) => existsSync(join(root, path)));
    expect(manifests.length).toBeGreaterThan(0);
    const install = instructions.find((i) => i.args.includes('pnpm install --frozen-lockfile'));
    expect(install, 'a RUN with pnpm install --frozen-lockfile').toBeDefined();
    const copiedBefore = contextCopies
      .filter((c) => c.line < (install?.line ?? 0))
      .flatMap((c) => c.sources);
    for (const file of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', ...manifests]) {
      expect(copiedBefore, `${file} copied before the install`).toContain(file);
    }
  });

  it('installs the pnpm version pinned in package.json', () => {
    const { packageManager } = JSON.parse(read('package.json')) as { packageManager: string };
    const pinned = instructions.find((i) => i.keyword === 'ARG' && i.args.startsWith('PNPM_'));
    expect(pinned?.args).toBe(`PNPM_VERSION=${packageManager.split('@')[1]}`);
  });

  it('copies from the build stage only trees that `pnpm deploy` produced there', () => {
    const build = instructions.filter((i) => i.stage === 'build' && i.keyword === 'RUN');
    const deployed = build.flatMap((i) =>
      [...i.args.matchAll(/pnpm --filter \S+ deploy --prod --legacy (\S+)/g)].map((m) => m[1]),
    );
    const fromBuild = instructions
      .filter((i) => i.keyword === 'COPY' && i.args.includes('--from=build'))
      .flatMap((i) => copyArguments(i.args).sources);
    expect(fromBuild.length).toBeGreaterThan(0);
    for (const source of fromBuild) expect(deployed).toContain(source);
  });

  it('sets a default in the runtime image for every variable supervisord.conf expands', () => {
    const settings = read('deploy/supervisord.conf')
      .split('\n')
      .filter((line) => !/^\s*[;#]/.test(line))
      .join('\n');
    const used = new Set([...settings.matchAll(/%\(ENV_([A-Za-z0-9_]+)\)s/g)].map((m) => m[1]));
    const runtime = instructions.at(-1)?.stage;
    const defaults = new Set(
      instructions
        .filter((i) => i.stage === runtime && i.keyword === 'ENV')
        .flatMap((i) =>
          [...i.args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]),
        ),
    );
    expect(used.size).toBeGreaterThan(0);
    expect([...used].filter((name) => !defaults.has(name))).toEqual([]);
  });

  it('builds every stage on NODE_IMAGE, node:20-bookworm-slim unless a build says otherwise', () => {
    // A stand-in base (scripts/container-base.sh) comes in as a build
    // argument, so the file that is built and tested is this one.
    const global = instructions.filter((i) => i.stage === '' && i.keyword === 'ARG');
    expect(global.map((i) => i.args)).toEqual(['NODE_IMAGE=node:20-bookworm-slim']);
    const bases = instructions
      .filter((i) => i.keyword === 'FROM')
      .map((i) => i.args.replace(/\s+AS\s+\S+$/i, ''));
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^\$\{NODE_IMAGE\}$/);
  });

  it('stops within 30 s: supervisord gives the server and the worker 25 s before Redis', () => {
    // Programs stop one after the other (server, worker, Redis); Redis, last,
    // needs a few seconds of a 30 s stop timeout (docs/product.md#shutdown) for its AOF.
    const conf = read('deploy/supervisord.conf');
    const stopWait = (program: string) => {
      const section = conf.split(/^\[/m).find((s) => s.startsWith(`program:${program}]`)) ?? '';
      return Number(/^stopwaitsecs=(\d+)$/m.exec(section)?.[1]);
    };
    expect(stopWait('server') + stopWait('worker')).toBeLessThanOrEqual(25);
  });

  it('defines every build target docker-compose.yml asks for, the runtime last', () => {
    const stages = instructions
      .filter((i) => i.keyword === 'FROM')
      .map((i) => /\bAS\s+(\S+)$/i.exec(i.args)?.[1]);
    const targets = [...read('docker-compose.yml').matchAll(/^\s+target:\s*(\S+)/gm)].map(
      (m) => m[1],
    );
    expect(targets).toContain('godot');
    for (const target of targets) expect(stages).toContain(target);
    // A plain `docker build .` builds the last stage: it must be the runtime.
    expect(stages.at(-1)).toBe('godot');
  });
});
