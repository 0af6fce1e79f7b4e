import { ServiceInstallError } from './install-error.js';

/** Escaping for values put into a launchd property list (XML 1.0). */

// XML 1.0 allows tab, newline and carriage return, and no other control character.
const NOT_IN_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;

export function xmlText(what: string, value: string): string {
  if (NOT_IN_XML.test(value)) {
    throw new ServiceInstallError(`${what} contains a control character that a property list cannot hold (${JSON.stringify(value)})`, 'use a value without control characters');
  }
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The `<string>` elements of an array, one per line, at the template's indentation. */
export function stringElements(what: string, values: readonly string[], indent: string): string {
  return values.map((value) => `${indent}<string>${xmlText(what, value)}</string>`).join('\n');
}
