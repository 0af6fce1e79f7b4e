import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failureReport, improvements, shortfalls, summary } from './expectations';
import type { Expectation } from './expectations';
import { findConformanceNode } from './node';
import type { SuiteRun } from './suites';

/**
 * What every conformance test file does the same way: find a Node able to run the CLIs (or
 * say why there is none), and hold a suite run against its expectation.
 */

/**
 * Inside a describe body: `body(node)` when a Node >= 22 is found. Otherwise, under CI, one
 * test that fails with the reason (CI must run the suites); elsewhere a todo naming it.
 */
export function withConformanceNode(body: (node: string) => void): void {
  const lookup = findConformanceNode();
  if (lookup.node !== null) {
    body(lookup.node);
  } else if (process.env.CI) {
    test('has a Node >= 22 to run the conformance CLIs with', () => {
      throw new Error(`CI is set, so the conformance suites must run, but ${lookup.problem}`);
    });
  } else {
    process.stderr.write(`conformance suites not run: ${lookup.problem}\n`);
    test.todo(`runs where a Node >= 22 is found (here: ${lookup.problem})`);
  }
}

/**
 * Fails (throws) when `run` is below `expected`, with every failing scenario and its checks'
 * messages; prints what improved when it is above. With MCP_CONFORMANCE_REPORT_DIR set, the
 * run's full result goes to <dir>/<reportName>.json first.
 */
export function holdToExpectation(label: string, reportName: string, run: SuiteRun, expected: Expectation, testFile: string): void {
  const reportDir = process.env.MCP_CONFORMANCE_REPORT_DIR;
  if (reportDir) {
    mkdirSync(reportDir, { recursive: true });
    writeFileSync(join(reportDir, `${reportName}.json`), `${JSON.stringify({ label, expected, ...run }, null, 2)}\n`);
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
    process.stderr.write(`${label}: better than expected, tighten the expectation in ${testFile}:\n${better.map((line) => `- ${line}`).join('\n')}\n${summary(run)}\n`);
  }
  expect(run.passed).toBeGreaterThanOrEqual(expected.passed);
  expect(run.failed).toBeLessThanOrEqual(expected.failed);
}
