import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * Stand-ins for systemctl and launchctl, put first on PATH (no service manager runs here):
 * real executables that record each call and answer as told through the environment.
 *   FAKE_FAIL_ON     a word: a call whose arguments include it fails (exit 1, FAKE_FAIL_MESSAGE on stderr)
 *   FAKE_STDOUT      printed by every call that does not fail
 */
const FAKE = `#!/bin/sh
printf '%s\\n' "$(basename "$0") $*" >> "$FAKE_RECORD"
if [ -n "\${FAKE_FAIL_ON:-}" ]; then
  case " $* " in *" $FAKE_FAIL_ON "*) printf '%s\\n' "\${FAKE_FAIL_MESSAGE:-failed}" >&2; exit 1 ;; esac
fi
if [ -n "\${FAKE_STDOUT:-}" ]; then printf '%s\\n' "$FAKE_STDOUT"; fi
exit 0
`;

export interface FakeMachine {
  /** The temporary file-system root the installer writes under. */
  root: string;
  /** Directory with the fake managers (first on PATH). */
  bin: string;
  /** Directory with other tools a server might use (uvx). */
  tools: string;
  env: NodeJS.ProcessEnv;
  calls(): string[];
  /** Makes the machine look like it runs systemd, with a user session for `uid`. */
  withSystemd(uid: number): void;
  cleanup(): void;
}

export function fakeMachine(): FakeMachine {
  const base = mkdtempSync(path.join(os.tmpdir(), 'service-install-'));
  const root = path.join(base, 'root');
  const bin = path.join(base, 'bin');
  const tools = path.join(base, 'tools');
  const record = path.join(base, 'calls.log');
  for (const dir of [root, bin, tools]) mkdirSync(dir);
  for (const name of ['systemctl', 'launchctl']) {
    writeFileSync(path.join(bin, name), FAKE);
    chmodSync(path.join(bin, name), 0o755);
  }
  writeFileSync(path.join(tools, 'uvx'), '#!/bin/sh\n');
  chmodSync(path.join(tools, 'uvx'), 0o755);
  const env: NodeJS.ProcessEnv = { PATH: `${bin}:${tools}:relative/bin:/usr/bin:/bin`, FAKE_RECORD: record };
  return {
    root,
    bin,
    tools,
    env,
    calls: () => (existsSync(record) ? readFileSync(record, 'utf8').trim().split('\n').filter((line) => line !== '') : []),
    withSystemd(uid: number) {
      mkdirSync(path.join(root, 'run', 'systemd', 'system'), { recursive: true });
      mkdirSync(path.join(root, 'run', 'user', String(uid)), { recursive: true });
      writeFileSync(path.join(root, 'run', 'user', String(uid), 'bus'), '');
      env.XDG_RUNTIME_DIR = `/run/user/${uid}`;
    },
    cleanup: () => rmSync(base, { recursive: true, force: true }),
  };
}
