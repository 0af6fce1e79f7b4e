import { readFileSync } from 'node:fs';

/**
 * What grew between two heap snapshots of one process (take them with
 * `node --heapsnapshot-signal=SIGUSR2 …` and `kill -USR2 <pid>`, before and after opening
 * sessions): live bytes and object counts by constructor, largest growth first, and per
 * session when `--per <n>` says how many sessions were opened in between.
 *
 *   node test/bench/dist/heapsnapshot-diff.js before.heapsnapshot after.heapsnapshot [--per 1000] [--top 40]
 */

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

interface Growth {
  bytes: number;
  count: number;
}

/** Strings, code and arrays by kind; objects and closures by constructor name. */
function groupName(type: string, name: string): string {
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return '(strings)';
  if (type === 'code') return '(compiled code)';
  if (type === 'array') return `(array) ${name}`.slice(0, 60);
  return `${type}: ${name}`.slice(0, 80);
}

function summarize(file: string): { groups: Map<string, Growth>; totalBytes: number } {
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field));
  const groups = new Map<string, Growth>();
  let totalBytes = 0;
  for (let i = 0; i < snapshot.nodes.length; i += fields.length) {
    const key = groupName(types[snapshot.nodes[i + typeAt]], snapshot.strings[snapshot.nodes[i + nameAt]]);
    const size = snapshot.nodes[i + sizeAt];
    const group = groups.get(key) ?? { bytes: 0, count: 0 };
    group.bytes += size;
    group.count += 1;
    groups.set(key, group);
    totalBytes += size;
  }
  return { groups, totalBytes };
}

function main(args: string[]): void {
  const files = args.filter((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'));
  if (files.length !== 2) throw new Error('usage: heapsnapshot-diff.js <before.heapsnapshot> <after.heapsnapshot> [--per <sessions>] [--top 40]');
  const option = (name: string, fallback: number) => {
    const index = args.indexOf(name);
    return index >= 0 ? Number(args[index + 1]) : fallback;
  };
  const per = option('--per', 1);
  const before = summarize(files[0]);
  const after = summarize(files[1]);
  const grown = (after.totalBytes - before.totalBytes) / 2 ** 20;
  process.stdout.write(`live heap ${(before.totalBytes / 2 ** 20).toFixed(1)} MB -> ${(after.totalBytes / 2 ** 20).toFixed(1)} MB (+${grown.toFixed(1)} MB`);
  process.stdout.write(per > 1 ? `, ${((grown * 1024) / per).toFixed(1)} KB per session)\n\n` : ')\n\n');
  const rows = [...after.groups].map(([key, group]) => {
    const old = before.groups.get(key) ?? { bytes: 0, count: 0 };
    return { key, bytes: group.bytes - old.bytes, count: group.count - old.count };
  });
  rows.sort((a, b) => b.bytes - a.bytes);
  for (const row of rows.slice(0, option('--top', 40))) {
    const perSession = per > 1 ? `${(row.bytes / per).toFixed(0).padStart(7)} B/session ${(row.count / per).toFixed(1).padStart(6)}/session` : '';
    process.stdout.write(`${(row.bytes / 1024).toFixed(0).padStart(9)} KB ${String(row.count).padStart(8)} objects ${perSession}  ${row.key}\n`);
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(2);
  }
}
