import type { Check, ScenarioResult, SuiteRun } from './suites';

/**
 * What a suite run in one session mode must reach. A run below it fails the test; a run
 * above it passes and says so, so the numbers can be tightened.
 */
export interface Expectation {
  /** At least this many checks pass. */
  passed: number;
  /** At most this many checks fail. */
  failed: number;
  /** The only scenarios allowed to have failing checks, each with the reason. */
  allowedToFail: Record<string, string>;
}

function clip(text: string, length: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}…` : flat;
}

/** A failed check: its message and, since messages like "Expected InputRequiredResult" hide the cause, the start of its details. */
function checkLine(check: Check): string {
  const details = check.details === undefined || JSON.stringify(check.details) === '{}' ? '' : ` [details: ${clip(JSON.stringify(check.details), 400)}]`;
  return `${check.id}: ${clip(check.errorMessage ?? '(no message)', 600)}${details}`;
}

function scenarioBlock(result: ScenarioResult, allowed: string | undefined): string {
  const header = `  ${result.scenario}: ${result.passed} passed, ${result.failed} failed${allowed === undefined ? ' (NOT allowed to fail)' : ` (allowed: ${allowed})`}`;
  return [header, ...result.failures.map((check) => `      - ${checkLine(check)}`)].join('\n');
}

/** Why `run` is below `expected` (empty when it is not). */
export function shortfalls(run: SuiteRun, expected: Expectation): string[] {
  const problems: string[] = [];
  if (run.passed < expected.passed) problems.push(`${run.passed} checks passed, expected at least ${expected.passed}`);
  if (run.failed > expected.failed) problems.push(`${run.failed} checks failed, expected at most ${expected.failed}`);
  for (const result of run.scenarios) {
    if (result.failed > 0 && !(result.scenario in expected.allowedToFail)) problems.push(`${result.scenario} failed ${result.failed} check(s) and is not allowed to fail`);
  }
  const names = new Set(run.scenarios.map((result) => result.scenario));
  for (const scenario of Object.keys(expected.allowedToFail)) {
    if (!names.has(scenario)) problems.push(`allowedToFail names ${scenario}, which the suite did not run`);
  }
  return problems;
}

/** Where `run` is above `expected` (to tighten the expectation). */
export function improvements(run: SuiteRun, expected: Expectation): string[] {
  const better: string[] = [];
  if (run.passed > expected.passed) better.push(`${run.passed} checks passed (expected at least ${expected.passed})`);
  if (run.failed < expected.failed) better.push(`${run.failed} checks failed (expected at most ${expected.failed})`);
  for (const result of run.scenarios) {
    if (result.failed === 0 && result.scenario in expected.allowedToFail) better.push(`${result.scenario} passed although allowed to fail`);
  }
  return better;
}

/** Each failing scenario with its failed checks' messages. */
export function failureReport(run: SuiteRun, expected: Expectation): string {
  const failing = run.scenarios.filter((result) => result.failed > 0);
  if (failing.length === 0) return '  (no scenario failed)';
  return failing.map((result) => scenarioBlock(result, expected.allowedToFail[result.scenario])).join('\n');
}

/** One line per scenario: the numbers the expectations are made of. */
export function summary(run: SuiteRun): string {
  const width = Math.max(...run.scenarios.map((result) => result.scenario.length));
  const lines = run.scenarios.map(
    (result) => `  ${result.scenario.padEnd(width)}  ${String(result.passed).padStart(3)} passed ${String(result.failed).padStart(2)} failed ${String(result.warnings).padStart(2)} warnings`,
  );
  lines.push(`  ${'total'.padEnd(width)}  ${String(run.passed).padStart(3)} passed ${String(run.failed).padStart(2)} failed ${String(run.warnings).padStart(2)} warnings (${(run.durationMs / 1000).toFixed(1)} s)`);
  return lines.join('\n');
}

// Why scenarios fail: each reason names the cause found behind the check's message; both are
// limits of a bridge in front of a 2025-era child, written down in docs/protocol-eras.md.

/** input-required-result-basic-elicitation, every mode. */
export const KEY_NAMES =
  'the bridge names the input requests it relays input-1, input-2, …; the scenario requires the key "user_name" of the ' +
  "spec example, which a 2025 child's elicitation/create cannot convey";

/** input-required-result-capability-check, wherever 2026-07-28 requests reach the one shared child. */
export const PER_REQUEST_CAPABILITIES =
  "the shared child was initialized once, by the bridge, with every capability, so it asks for sampling and elicitation at once; the " +
  'request declared sampling only, and the bridge answers -32021 "Missing required client capabilities: elicitation" (per-session passes: its child is initialized with the request\'s own capabilities)';
