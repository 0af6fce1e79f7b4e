import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Reads a rendered systemd unit the way the tests need: sections, keys in order, ExecStart's words. */

export type UnitFile = Map<string, Array<[key: string, value: string]>>;

export function parseUnit(text: string): UnitFile {
  const unit: UnitFile = new Map();
  let section: Array<[string, string]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = [];
      unit.set(header[1], section);
      continue;
    }
    const eq = line.indexOf('=');
    if (section === undefined || eq <= 0) throw new Error(`not a unit line: ${raw}`);
    section.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return unit;
}

export function values(unit: UnitFile, section: string, key: string): string[] {
  return (unit.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
}

export function value(unit: UnitFile, section: string, key: string): string | undefined {
  const all = values(unit, section, key);
  return all[all.length - 1];
}

/** systemd's command-line splitting for what the renderer writes: bare words and "…" with \\ and \" escapes; %% and $$. */
export function execWords(line: string): string[] {
  const words: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (const match of line.matchAll(pattern)) {
    const word = match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2];
    words.push(word.replace(/%%/g, '%').replace(/\$\$/g, '$'));
  }
  return words;
}

export function environmentAssignmentValue(quoted: string): string {
  const match = /^"((?:[^"\\]|\\.)*)"$/.exec(quoted);
  if (!match) throw new Error(`not a quoted assignment: ${quoted}`);
  return match[1].replace(/\\(.)/g, '$1').replace(/%%/g, '%');
}

export function systemdAnalyzeAvailable(): boolean {
  return spawnSync('systemd-analyze', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * `systemd-analyze verify` on a rendered unit. It needs no running systemd; for a user unit
 * it wants a runtime directory, which a temporary one satisfies.
 */
export function verifyUnit(content: string, scope: 'user' | 'system'): { status: number | null; output: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'unit-verify-'));
  try {
    const file = path.join(dir, 'mcp-workstation.service');
    writeFileSync(file, content);
    const runtime = path.join(dir, 'runtime');
    mkdirSync(runtime, { mode: 0o700 });
    const result = spawnSync('systemd-analyze', [...(scope === 'user' ? ['--user'] : []), 'verify', file], {
      encoding: 'utf8',
      env: { ...process.env, XDG_RUNTIME_DIR: runtime, SYSTEMD_LOG_COLOR: '0' },
    });
    return { status: result.status, output: `${result.stdout}${result.stderr}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
