import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Where a package's time goes: the file's package, or a label for Node/V8 internals. */
function bucket(url: string, functionName: string): string {
  if (url === '') return `(${functionName || 'native'})`;
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pnpm) return pnpm[1] as string;
  const workspace = /packages\/([^/]+)\/src\/([^/]+)$/.exec(url);
  if (workspace) return `@godot/${workspace[1]} ${workspace[2]}`;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url.replace(/^file:\/\//, '');
}

/** Options of {@link summarizeProfile}. */
export interface SummaryOptions {
  /** Lines per list. @default 20 */
  top?: number;
  /** Only samples taken after this many ms since the profile started (skips start-up). @default 0 */
  skipMs?: number;
}

/** Self time by function and by package/file, from one `.cpuprofile`. */
export function summarizeProfile(profile: CpuProfile, options: SummaryOptions = {}): string {
  const top = options.top ?? 20;
  const from = profile.startTime + (options.skipMs ?? 0) * 1000;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at >= from) selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  const total = profile.endTime - Math.max(profile.startTime, from);
  const byFunction = new Map<string, number>();
  const byBucket = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const file = frame.url.split('/').slice(-1)[0] ?? '';
    const fn = `${frame.functionName || '(anonymous)'} ${file}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    const b = bucket(frame.url, frame.functionName);
    byBucket.set(b, (byBucket.get(b) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const list = (map: Map<string, number>) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => `  ${pct(us)}  ${name}`)
      .join('\n');
  return `self time by package/file (of ${(total / 1e6).toFixed(1)} s wall):\n${list(byBucket)}\nself time by function:\n${list(byFunction)}`;
}

/** Summaries of every `.cpuprofile` in `dir`, newest names last. */
export async function summarizeProfiles(
  dir: string,
  options: SummaryOptions = {},
): Promise<string> {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main
  // thread; others are tsx's module-loader thread, idle after start-up.
  const files = (await readdir(dir))
    .filter((name) => /\.\d+\.0\.\d+\.cpuprofile$/.test(name))
    .sort();
  const parts: string[] = [];
  for (const file of files) {
    const profile = JSON.parse(await readFile(join(dir, file), 'utf8')) as CpuProfile;
    parts.push(`== ${file}\n${summarizeProfile(profile, options)}`);
  }
  return parts.join('\n\n');
}
