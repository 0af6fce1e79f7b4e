import { promises as fs } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { RegistrationError } from './registration-error.js';

/**
 * The CA list for a gateway with a private CA: Node's default roots plus the certificates of
 * `caFile`. Node's `ca` option replaces the defaults, and protocol.md §0 speaks of an *extra*
 * CA, so the defaults are added back.
 */
export async function trustedCertificates(caFile: string): Promise<string[]> {
  let pem: string;
  try {
    pem = await fs.readFile(caFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new RegistrationError('ca_file_unreadable', `cannot read the CA file ${caFile} (${code})`, 'give a readable PEM certificate file with --ca-file');
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new RegistrationError('ca_file_invalid', `the CA file ${caFile} holds no PEM certificate`, 'give the CA certificate in PEM form (-----BEGIN CERTIFICATE-----) with --ca-file');
  }
  return [...rootCertificates, pem];
}
