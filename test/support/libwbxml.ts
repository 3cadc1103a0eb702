// libwbxml2's command-line tools (Debian libwbxml2-utils): the independent WBXML encoder and
// decoder our codecs are checked against.
import { spawnSync } from 'node:child_process';

/** Runs wbxml2xml or xml2wbxml; throws with what it printed when it fails or is missing. */
export function libwbxml(tool: 'wbxml2xml' | 'xml2wbxml', args: string[]): void {
  const run = spawnSync(tool, args, { encoding: 'utf8' });
  if (run.error) {
    const missing = (run.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? `${tool} is missing: install libwbxml2-utils (apt-get install -y libwbxml2-utils) to check our WBXML with an independent decoder` : `${tool} failed: ${run.error.message}`);
  }
  if (run.status !== 0) throw new Error(`${tool} ${args.join(' ')} exited with ${run.status}: ${run.stderr}${run.stdout}`);
}
