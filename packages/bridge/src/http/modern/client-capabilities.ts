import type { ClientCapabilities } from './envelope.js';
import { isPlainObject } from './era.js';

/**
 * Which declared client capability an embedded input request needs. The spec: a server
 * MUST NOT send an input request the client has not declared support for
 * (basic/patterns/mrtr, server requirement 7), and when processing needs an undeclared
 * capability it answers MissingRequiredClientCapability (basic/index#_meta).
 *
 * Mode-aware like the spec's capability shapes: URL elicitation needs `elicitation.url`,
 * form elicitation `elicitation.form` (a bare `elicitation: {}` still means form, its 2025
 * meaning), sampling with tools needs `sampling.tools`.
 */
export function requiredCapabilities(method: string, params: unknown): ClientCapabilities | undefined {
  const args = isPlainObject(params) ? params : {};
  switch (method) {
    case 'elicitation/create':
      return args.mode === 'url' ? { elicitation: { url: {} } } : { elicitation: { form: {} } };
    case 'sampling/createMessage':
      return args.tools !== undefined || args.toolChoice !== undefined ? { sampling: { tools: {} } } : { sampling: {} };
    case 'roots/list':
      return { roots: {} };
    default:
      return undefined;
  }
}

/** The part of `required` the client did not declare, or undefined when all of it is declared. */
export function missingCapabilities(required: ClientCapabilities, declared: ClientCapabilities): ClientCapabilities | undefined {
  const missing: ClientCapabilities = {};
  for (const [capability, requirement] of Object.entries(required)) {
    const have = declared[capability];
    if (!isPlainObject(have)) {
      missing[capability] = requirement;
      continue;
    }
    const missingMembers = Object.keys(isPlainObject(requirement) ? requirement : {}).filter(
      (member) => have[member] === undefined && !bareElicitationMeansForm(capability, member, have),
    );
    if (missingMembers.length > 0) missing[capability] = Object.fromEntries(missingMembers.map((member) => [member, {}]));
  }
  return Object.keys(missing).length > 0 ? missing : undefined;
}

function bareElicitationMeansForm(capability: string, member: string, declared: Record<string, unknown>): boolean {
  return capability === 'elicitation' && member === 'form' && declared.form === undefined && declared.url === undefined;
}
