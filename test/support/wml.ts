// Validates a WML deck against the WAP Forum's WML 1.2 DTD with xmllint (Debian libxml2-utils).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { existsSync } from 'node:fs';

const ROOT = join(import.meta.dirname, '..', '..');
const DTD = process.env.WML_DTD ?? join(ROOT, '..', 'shared', 'interop', 'wml', 'wml12.dtd');

/** xmllint's complaint about the deck, or null when the deck is valid. */
export function wmlErrors(deck: string | Buffer): string | null {
  if (!existsSync(DTD)) throw new Error(`the WML DTD is not at ${DTD}: set WML_DTD, or keep ../shared/ beside the repository`);
  // --nonet: the DOCTYPE names the WAP Forum's URL, which must not be fetched.
  const run = spawnSync('xmllint', ['--noout', '--nonet', '--dtdvalid', DTD, '-'], { input: deck, encoding: 'utf8' });
  if (run.error) {
    const missing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? 'xmllint is missing: install libxml2-utils (apt-get install -y libxml2-utils) to validate WML' : `xmllint failed: ${run.error.message}`);
  }
  if (run.status === 0) return null;
  return (run.stderr || run.stdout || `xmllint exited with ${run.status}`).trim();
}
