import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * Where a `.cpuprofile` (node --cpu-prof, or `npm run bench -- --prof cpu`) spends its time:
 * self time by function and by file, and inclusive time of the functions in files matching a
 * filter (default: this repository's packages), to find which of our functions costs what.
 *
 *   node test/bench/dist/cpuprofile-top.js <file.cpuprofile> [--top 25] [--filter packages/]
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

type Tally = Map<string, number>;

function add(tally: Tally, key: string, ms: number): void {
  tally.set(key, (tally.get(key) ?? 0) + ms);
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url ? relative(process.cwd(), url.replace(/^file:\/\//, '')) : '(native)';
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

function fileOf(node: ProfileNode): string {
  const url = node.callFrame.url.replace(/^file:\/\//, '');
  if (!url) return node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : '(native)';
  const packageMatch = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (packageMatch) return `node_modules/${packageMatch[1]}`;
  return relative(process.cwd(), url);
}

function analyse(profile: CpuProfile, filter: string) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self: Tally = new Map();
  const files: Tally = new Map();
  const inclusive: Tally = new Map();
  let totalMs = 0;
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node) return;
    totalMs += ms;
    add(self, frameName(node), ms);
    add(files, fileOf(node), ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at) as ProfileNode;
      const name = frameName(frame);
      if (frame.callFrame.url.includes(filter) && !seen.has(name)) {
        seen.add(name);
        add(inclusive, name, ms);
      }
    }
  });
  return { self, files, inclusive, totalMs };
}

function top(tally: Tally, count: number, totalMs: number): string {
  return [...tally.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => `${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${name}`)
    .join('\n');
}

function main(args: string[]): void {
  const file = args.find((arg) => !arg.startsWith('--'));
  if (!file) throw new Error('usage: cpuprofile-top.js <file.cpuprofile> [--top 25] [--filter packages/]');
  const option = (name: string, fallback: string) => {
    const index = args.indexOf(name);
    return index >= 0 && args[index + 1] ? args[index + 1] : fallback;
  };
  const count = Number(option('--top', '25'));
  const filter = option('--filter', '/packages/');
  const { self, files, inclusive, totalMs } = analyse(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, filter);
  process.stdout.write(`${file}: ${totalMs.toFixed(0)} ms sampled\n\n`);
  process.stdout.write(`self time by file or package:\n${top(files, count, totalMs)}\n\n`);
  process.stdout.write(`self time by function:\n${top(self, count, totalMs)}\n\n`);
  process.stdout.write(`inclusive time of functions in files matching "${filter}":\n${top(inclusive, count, totalMs)}\n`);
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
}
