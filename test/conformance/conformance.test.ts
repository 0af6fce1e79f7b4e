import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanUp, FIXTURES, rawRequest, startDaemon, waitFor } from '../e2e/support';
import { failureReport, improvements, shortfalls, summary } from './expectations';
import type { Expectation } from './expectations';
import { findConformanceNode } from './node';
import { SUITES, conformanceCli, runSuite, stopConformanceRuns } from './suites';
import type { SuiteId } from './suites';

// The official MCP conformance suites against the built CLI: `mcp-workstation up` in front of
// test/fixtures/conformance-server.js (a 2025-era stdio server on the v1 SDK), in each session
// mode. 2025-11-25: every server scenario of @modelcontextprotocol/conformance 0.1.16.
// 2026-07-28: the server scenarios that revision requires (0.2.0-alpha.12,
// `--requirements 2026-07-28`), which the bridge serves by translating for the 2025 child
// (docs/protocol-eras.md). One daemon per suite and mode serves all of its scenarios, two
// scenarios at a time, each in its own CLI process (test/conformance/suites.ts).
//
// EXPECTED holds what each run must reach: at least `passed` checks passing, at most `failed`
// failing, and failures only in the scenarios listed with a reason. A run below fails with
// every failing scenario and its checks' messages; a run above passes and prints what
// improved, so the numbers can be tightened. Set MCP_CONFORMANCE_REPORT_DIR to a directory
// to get each run's full result as JSON there.
//
// The CLIs need Node >= 22 (test/conformance/node.ts says where it is looked for).

type Mode = 'shared' | 'stateless' | 'per-session';

// Why scenarios fail: each reason names the cause found behind the check's message; both are
// limits of a bridge in front of a 2025-era child, written down in docs/protocol-eras.md.
const KEY_NAMES =
  'the bridge names the input requests it relays input-1, input-2, …; the scenario requires the key "user_name" of the ' +
  "spec example, which a 2025 child's elicitation/create cannot convey";
const PER_REQUEST_CAPABILITIES =
  "the shared child was initialized once, by the bridge, with every capability, so it asks for sampling and elicitation at once; the " +
  'request declared sampling only, and the bridge answers -32021 "Missing required client capabilities: elicitation" (per-session passes: its child is initialized with the request\'s own capabilities)';
const sharedChild2026: Expectation = {
  passed: 116,
  failed: 2,
  allowedToFail: {
    'input-required-result-basic-elicitation': KEY_NAMES,
    'input-required-result-capability-check': PER_REQUEST_CAPABILITIES,
  },
};

const EXPECTED: Record<SuiteId, Record<Mode, Expectation>> = {
  '2025-11-25': {
    shared: { passed: 44, failed: 0, allowedToFail: {} },
    // server-sse-polling and server-sse-multiple-streams get no session id: WARNING, 2 checks fewer.
    stateless: { passed: 42, failed: 0, allowedToFail: {} },
    'per-session': { passed: 44, failed: 0, allowedToFail: {} },
  },
  '2026-07-28': {
    shared: sharedChild2026,
    // 2026-07-28 requests reach one shared child in this mode too: the same results.
    stateless: sharedChild2026,
    // Each 2026-07-28 request's own child is initialized with that request's capabilities
    // (docs/protocol-eras.md, T5), so capability-check passes here; only the key names remain.
    'per-session': {
      passed: 117,
      failed: 1,
      allowedToFail: {
        'input-required-result-basic-elicitation': KEY_NAMES,
      },
    },
  },
};

const RUNS: Array<[SuiteId, Mode]> = [
  ['2025-11-25', 'shared'],
  ['2025-11-25', 'stateless'],
  ['2025-11-25', 'per-session'],
  ['2026-07-28', 'shared'],
  ['2026-07-28', 'stateless'],
  ['2026-07-28', 'per-session'],
];

const TITLE = 'the official MCP conformance suites against mcp-workstation up';
const lookup = findConformanceNode();

if (lookup.node !== null) {
  const node = lookup.node;
  describe(TITLE, () => {
    let workDir: string | undefined;

    afterEach(async () => {
      stopConformanceRuns();
      await cleanUp();
      if (workDir) rmSync(workDir, { recursive: true, force: true });
      workDir = undefined;
    });

    test.each(RUNS)('%s suite, session mode %s', async (suiteId, mode) => {
      const suite = SUITES[suiteId];
      const expected = EXPECTED[suiteId][mode];
      conformanceCli(suite); // fails now, with how to fix it, when the devDependency is missing
      workDir = mkdtempSync(join(tmpdir(), 'mcpw-conformance-'));
      const daemon = await startDaemon([
        'up',
        '--port',
        '0',
        '--admin',
        join(workDir, 'admin.sock'),
        '--tunnel',
        'false',
        '--session-mode',
        mode,
        '--',
        process.execPath,
        join(FIXTURES, 'conformance-server.js'),
      ]);
      // server/discover (2026-07-28) is answered from the child's initialize result: wait for it.
      await waitFor(async () => (await rawRequest(`${daemon.origin}/readyz`)).status === 200, { timeoutMs: 20_000, what: '/readyz to answer 200' });

      const run = await runSuite({ node, suite, url: daemon.endpoint, workDir });

      const label = `${suiteId} (${suite.packageName} = @modelcontextprotocol/conformance@${suite.version}), session mode ${mode}`;
      const reportDir = process.env.MCP_CONFORMANCE_REPORT_DIR;
      if (reportDir) {
        mkdirSync(reportDir, { recursive: true });
        writeFileSync(join(reportDir, `${suiteId}-${mode}.json`), `${JSON.stringify({ label, expected, ...run }, null, 2)}\n`);
      }
      const problems = shortfalls(run, expected);
      if (problems.length > 0) {
        throw new Error(
          `${label}: below expectations:\n${problems.map((problem) => `- ${problem}`).join('\n')}\n\n` +
            `Failing scenarios and their failed checks:\n${failureReport(run, expected)}\n\nAll scenarios:\n${summary(run)}`,
        );
      }
      const better = improvements(run, expected);
      if (better.length > 0) {
        process.stderr.write(`${label}: better than expected, tighten EXPECTED in ${__filename}:\n${better.map((line) => `- ${line}`).join('\n')}\n${summary(run)}\n`);
      }
      expect(run.passed).toBeGreaterThanOrEqual(expected.passed);
      expect(run.failed).toBeLessThanOrEqual(expected.failed);
    }, 600_000);
  });
} else if (process.env.CI) {
  describe(TITLE, () => {
    test('has a Node >= 22 to run the conformance CLIs with', () => {
      throw new Error(`CI is set, so the conformance suites must run, but ${lookup.problem}`);
    });
  });
} else {
  process.stderr.write(`conformance suites not run: ${lookup.problem}\n`);
  describe(TITLE, () => {
    test.todo(`runs where a Node >= 22 is found (here: ${lookup.problem})`);
  });
}
