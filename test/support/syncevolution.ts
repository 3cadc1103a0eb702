// SyncEvolution (Debian's, the Synthesis engine many phones and PIMs shipped) as a real SyncML
// client and server, through ../shared/interop/syncml: client-sync.sh runs one sync of a directory
// of vCard / iCalendar files, peer-server.sh runs syncevo-http-server. Every run is bounded in time.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const SYNCML_INTEROP = process.env.SYNCML_INTEROP ?? join(ROOT, '..', 'shared', 'interop', 'syncml');
/** Shared by every test run: client-sync.sh builds its small libcurl shim here once. */
const LAB_ROOT = join(tmpdir(), 'syncml-lab-tests');

export type SyncMode = 'two-way' | 'slow' | 'refresh-from-client' | 'refresh-from-server' | 'one-way-from-client' | 'one-way-from-server';

export interface Counts {
  added: number;
  updated: number;
  deleted: number;
  errors: number;
}

export interface SyncRun {
  exit: number;
  /** What SyncEvolution changed in its own directory, and what it sent the server. */
  local?: Counts;
  remote?: Counts;
  output: string;
}

export interface ClientOptions {
  /** client-sync.sh environment: FORMAT, WBXML, AUTH, SYNCML_VERSION, MAX_MSG_SIZE, REFRESH_SYNC, DEVICE_ID… */
  env?: Record<string, string>;
  /** Seconds before the run is killed (client-sync.sh's TIMEOUT). */
  timeout?: number;
}

const dirs: string[] = [];

/** A new temporary directory, removed by removeLabDirs(). */
export function labDir(label: string): string {
  mkdirSync(LAB_ROOT, { recursive: true });
  const dir = mkdtempSync(join(LAB_ROOT, `${label}-`));
  dirs.push(dir);
  return dir;
}

export function removeLabDirs(): void {
  if (process.env.KEEP_SYNC_LAB) return; // to read SyncEvolution's session logs after a failure
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The LD_PRELOAD shim Debian's SyncEvolution client needs (built once, as client-sync.sh does). */
export async function curlShim(): Promise<string> {
  mkdirSync(LAB_ROOT, { recursive: true });
  const shim = join(LAB_ROOT, 'curlfix.so');
  if (!existsSync(shim)) {
    const tmp = `${shim}.${process.pid}`;
    await new Promise<void>((resolve, reject) =>
      execFile('gcc', ['-shared', '-fPIC', '-O2', '-o', tmp, join(SYNCML_INTEROP, 'curlfix.c'), '-ldl'], (err) => (err ? reject(err) : resolve())),
    );
    renameSync(tmp, shim);
  }
  return shim;
}

function counts(line: string | undefined): Counts | undefined {
  const m = line && /added=(\d+) updated=(\d+) deleted=(\d+) errors=(\d+)/.exec(line);
  return m ? { added: +m[1], updated: +m[2], deleted: +m[3], errors: +m[4] } : undefined;
}

/**
 * A SyncEvolution client with its own state (anchors, config) syncing `data`, a directory of
 * items, one per file.
 */
export class SyncEvolutionClient {
  readonly data: string;
  readonly state: string;
  readonly url: string;
  readonly user: string;
  readonly password: string;

  constructor(url: string, user: string, password: string, label = 'client') {
    this.url = url;
    this.user = user;
    this.password = password;
    this.data = labDir(`${label}-data`);
    this.state = labDir(`${label}-state`);
  }

  sync(mode: SyncMode, options: ClientOptions = {}): Promise<SyncRun> {
    const timeout = options.timeout ?? 60;
    const env = { ...process.env, SYNCML_LAB_STATE: LAB_ROOT, STATE_DIR: this.state, TIMEOUT: String(timeout), LOGLEVEL: process.env.KEEP_SYNC_LAB ? '4' : '2', ...options.env };
    return new Promise((resolve) => {
      execFile(join(SYNCML_INTEROP, 'client-sync.sh'), [this.url, this.user, this.password, mode, this.data], { env, timeout: (timeout + 20) * 1000 }, (err, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        const exit = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        const lines = output.split('\n');
        resolve({ exit, local: counts(lines.find((l) => l.startsWith('client (local)'))), remote: counts(lines.find((l) => l.startsWith('server (remote)'))), output });
      });
    });
  }

  /** The full SyncEvolution log of the last run, for failure messages. */
  lastRun(): string {
    try {
      return readFileSync(join(this.state, 'last-run.txt'), 'utf8');
    } catch {
      return '';
    }
  }

  write(file: string, text: string): void {
    writeFileSync(join(this.data, file), text.replace(/\r?\n/g, '\r\n'));
  }

  remove(file: string): void {
    rmSync(join(this.data, file));
  }

  /** The items in the directory, by file name. */
  items(): Map<string, string> {
    return new Map(readdirSync(this.data).map((f) => [f, readFileSync(join(this.data, f), 'utf8')]));
  }

  /** The FN (or SUMMARY) of every item, sorted: what a test compares. */
  names(): string[] {
    return [...this.items().values()].map((text) => /^(?:FN|SUMMARY)[;:](?:.*:)?(.*)$/m.exec(text)?.[1].trim() ?? '?').sort();
  }

  /** The file whose item has this FN/SUMMARY. */
  fileOf(name: string): string {
    for (const [file, text] of this.items()) if (new RegExp(`^(FN|SUMMARY)[;:](.*:)?${name}\\r?$`, 'm').test(text)) return file;
    throw new Error(`no item "${name}" in ${this.data}`);
  }
}

/** A vCard 3.0 with a name, and optionally more lines. */
export function vcard(given: string, family: string, ...lines: string[]): string {
  return ['BEGIN:VCARD', 'VERSION:3.0', `N:${family};${given};;;`, `FN:${given} ${family}`, ...lines, 'END:VCARD', ''].join('\n');
}
