// A WAP 1.x phone behind a real operator gateway: Kannel (Debian 1.4.5: bearerbox + wapbox) on
// 127.0.0.1, started by ../shared/interop/kannel/wap-fetch.sh, with wsp-client.js as the phone.
//
// One Kannel serves a whole walk: wap-fetch.sh -X runs a small loop that reads one wsp-client.js
// command line per step from our stdin, so the gateway starts once (~0.5 s) and each step costs
// one WSP exchange. wsp-client.js fetches fixed URLs, and with one POST body for all of them, so
// a step that depends on the previous reply (the session token appears after login) is its own
// wsp-client.js run, i.e. its own WSP session; consecutive GETs given together share one session.
// Our gateway keeps no state in WSP sessions (the token rides in the URL), so nothing is lost.
//
// Kannel's UDP ports 9200/9201 are fixed: wap-fetch.sh serialises runs with a lock file, and tests
// that use this must be `test.serial` and live in one test file.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, stat, open } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';

const run = promisify(execFile);

const ROOT = join(import.meta.dirname, '..', '..');
/** Where wap-fetch.sh and wsp-client.js are: `<repo>/../shared/interop/kannel`, or `KANNEL_INTEROP`. */
export const INTEROP = process.env.KANNEL_INTEROP ?? join(ROOT, '..', 'shared', 'interop', 'kannel');

/** The phone of the tests: a Nokia 7110, which accepts compiled WML only. */
export const NOKIA = {
  userAgent: 'Nokia7110/1.0 (05.01)',
  accept: 'application/vnd.wap.wmlc, image/vnd.wap.wbmp',
  sdu: 1400,
};

export interface PhoneOptions {
  userAgent?: string;
  /** Sent as a textual Accept header (wsp-client.js also always sends the well-known `*\/*` first). */
  accept?: string;
  /** The client SDU size the phone declares in WSP Connect: Kannel refuses larger replies (502). */
  sdu?: number;
  /** More request headers, `Name: value`. */
  headers?: string[];
  /** Seconds one WSP transaction may take (wsp-client.js -t). */
  timeout?: number;
}

export interface WapRequest {
  url: string;
  method?: 'GET' | 'POST';
  /** POST body (sent as is). */
  body?: string | Buffer;
  /** POST content type; default application/x-www-form-urlencoded. */
  contentType?: string;
}

/** What the origin server (us) answered Kannel, from wapbox's access log. */
export interface OriginReply {
  status: number;
  contentType: string;
  charset: string;
  bytes: number;
}

export interface WapReply {
  url: string;
  method: 'GET' | 'POST';
  /** The WSP reply status, as an HTTP number. */
  status: number;
  /** The content type the phone received, with its charset when Kannel sent one (`text/vnd.wap.wml; charset=utf-8`). */
  contentType: string;
  /** The other reply headers the phone received, decoded from WSP (names lower-case; repeated ones joined with ", "). */
  headers: Record<string, string>;
  /** The body as the phone received it: for compiled WML, the WBXML. */
  body: Buffer;
  /** The deck as XML: the WBXML decompiled by libwbxml's wbxml2xml, or the body as text when not compiled. */
  deck: string;
  /** What the origin answered (undefined if the access log had no line for it). */
  origin?: OriginReply;
  /** wapbox WARNING/ERROR lines logged while this request was served. */
  warnings: string[];
  /** The replies that led here when redirects were followed (see KannelPhone.go). */
  redirects: WapReply[];
}

/** The text a user reads on a deck: tags dropped, entities decoded, spaces folded. */
export function deckWords(deck: string): string {
  return deck
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, e: string) =>
      e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' }[e] ?? all),
    )
    .replace(/\s+/g, ' ')
    .trim();
}

/** wapbox lines that say a deck of ours did not compile (Kannel then sends the raw text with 200). */
export const COMPILE_ERROR = /WML compil|converters for .* failed|XML error|WBXML/i;

// ---------------------------------------------------------------------------------------------
// WSP reply headers (WAP-230 §8.4), as wsp-client.js hands them over in headersHex.

const WSP_TYPES: Record<number, string> = {
  0x00: '*/*', 0x01: 'text/*', 0x02: 'text/html', 0x03: 'text/plain', 0x08: 'text/vnd.wap.wml', 0x09: 'text/vnd.wap.wmlscript',
  0x10: 'application/*', 0x12: 'application/x-www-form-urlencoded', 0x14: 'application/vnd.wap.wmlc', 0x15: 'application/vnd.wap.wmlscriptc',
  0x1c: 'image/*', 0x1d: 'image/gif', 0x1e: 'image/jpeg', 0x20: 'image/png', 0x21: 'image/vnd.wap.wbmp',
  0x27: 'application/xml', 0x28: 'text/xml', 0x29: 'application/vnd.wap.wbxml', 0x3b: 'application/xhtml+xml',
};

const WSP_HEADERS = [
  'accept', 'accept-charset', 'accept-encoding', 'accept-language', 'accept-ranges', 'age', 'allow', 'authorization',
  'cache-control', 'connection', 'content-base', 'content-encoding', 'content-language', 'content-length', 'content-location', 'content-md5',
  'content-range', 'content-type', 'date', 'etag', 'expires', 'from', 'host', 'if-modified-since',
  'if-match', 'if-none-match', 'if-range', 'if-unmodified-since', 'location', 'last-modified', 'max-forwards', 'pragma',
  'proxy-authenticate', 'proxy-authorization', 'public', 'range', 'referer', 'retry-after', 'server', 'transfer-encoding',
  'upgrade', 'user-agent', 'vary', 'via', 'warning', 'www-authenticate', 'content-disposition', 'x-wap-application-id',
  'x-wap-content-uri', 'x-wap-initiator-uri', 'accept-application', 'bearer-indication', 'push-flag', 'profile', 'profile-diff', 'profile-warning',
  'expect', 'te', 'trailer', 'accept-charset', 'accept-encoding', 'cache-control', 'content-range', 'x-wap-tod',
  'content-id', 'set-cookie', 'cookie', 'encoding-version', 'profile-warning', 'content-disposition', 'x-wap-security', 'cache-control',
];

const CHARSETS: Record<number, string> = { 3: 'us-ascii', 4: 'iso-8859-1', 106: 'utf-8', 1000: 'iso-10646-ucs-2', 17: 'shift_jis' };

function uintvar(buf: Buffer, pos: number): [number, number] {
  let v = 0;
  let b: number;
  do {
    b = buf[pos++];
    v = v * 128 + (b & 0x7f);
  } while (b & 0x80 && pos < buf.length);
  return [v, pos];
}

function cString(buf: Buffer, pos: number): [string, number] {
  let end = buf.indexOf(0, pos);
  if (end < 0) end = buf.length;
  let s = buf.toString('latin1', pos, end);
  if (s.startsWith('\x7f')) s = s.slice(1); // Quote before a text starting with an octet >= 128
  return [s, end + 1];
}

interface WspValue {
  short?: number;
  text?: string;
  data?: Buffer;
}

function wspValue(buf: Buffer, pos: number): [WspValue, number] {
  const b = buf[pos];
  if (b >= 0x80) return [{ short: b & 0x7f }, pos + 1];
  if (b >= 0x20) {
    const [text, next] = cString(buf, pos);
    return [{ text }, next];
  }
  const [len, start] = b === 0x1f ? uintvar(buf, pos + 1) : [b, pos + 1];
  return [{ data: buf.subarray(start, start + len) }, start + len];
}

function integerOf(data: Buffer): number {
  // Long-integer: a short length, then that many big-endian octets.
  let n = 0;
  for (const octet of data.subarray(1, 1 + data[0])) n = n * 256 + octet;
  return n;
}

function contentTypeOf(v: WspValue): string {
  if (v.short !== undefined) return WSP_TYPES[v.short] ?? `0x${v.short.toString(16)}`;
  if (v.text !== undefined) return v.text;
  const data = v.data!;
  let [media, pos] = wspValue(data, 0);
  let type = media.short !== undefined ? (WSP_TYPES[media.short] ?? `0x${media.short.toString(16)}`) : (media.text ?? '?');
  while (pos < data.length) {
    const param = data[pos];
    if (param === 0x81) {
      // Charset: Integer-value (a short integer, or a long integer)
      const [cs, next] = wspValue(data, pos + 1);
      const mib = cs.short ?? (cs.data ? integerOf(Buffer.concat([Buffer.from([cs.data.length]), cs.data])) : 0);
      type += `; charset=${CHARSETS[mib] ?? `mib-${mib}`}`;
      pos = next;
    } else {
      type += ' +params';
      break;
    }
  }
  return type;
}

function headerText(name: string, v: WspValue): string {
  if (v.text !== undefined) return v.text;
  if (v.short !== undefined) {
    if (name === 'vary') return WSP_HEADERS[v.short] ?? String(v.short);
    if (name === 'content-length' || name === 'age' || name === 'max-forwards') return String(v.short);
    return `0x${v.short.toString(16)}`;
  }
  const data = v.data!;
  if (name === 'date' || name === 'expires' || name === 'last-modified') {
    let secs = 0;
    for (const octet of data) secs = secs * 256 + octet;
    return new Date(secs * 1000).toUTCString();
  }
  if (name === 'content-length') {
    let n = 0;
    for (const octet of data) n = n * 256 + octet;
    return String(n);
  }
  return `0x${data.toString('hex')}`;
}

/** Decodes a WSP reply's content type and headers (the bytes wsp-client.js prints as headersHex). */
export function decodeWspHeaders(hex: string): { contentType: string; headers: Record<string, string> } {
  const buf = Buffer.from(hex, 'hex');
  const [type, start] = wspValue(buf, 0);
  const headers: Record<string, string> = {};
  const add = (name: string, value: string) => {
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  };
  let pos = start;
  while (pos < buf.length) {
    const b = buf[pos];
    if (b === 0x7f) pos += 2; // Shift-delimiter, page identity
    else if (b < 0x20) pos += 1; // Short-cut shift
    else if (b >= 0x80) {
      const name = WSP_HEADERS[b & 0x7f] ?? `0x${(b & 0x7f).toString(16)}`;
      const [value, next] = wspValue(buf, pos + 1);
      add(name, headerText(name, value));
      pos = next;
    } else {
      const [name, afterName] = cString(buf, pos);
      const [value, next] = cString(buf, afterName);
      add(name.toLowerCase(), value);
      pos = next;
    }
  }
  return { contentType: contentTypeOf(type), headers };
}

// ---------------------------------------------------------------------------------------------

/** Decompiles WBXML with libwbxml's wbxml2xml (Debian libwbxml2-utils): a decompiler that is not ours. */
export async function wbxmlToXml(bytes: Buffer, dir: string): Promise<string> {
  const input = join(dir, `deck-${process.hrtime.bigint()}.wbxml`);
  const output = `${input}.xml`;
  // libwbxml2 in Debian has no iconv: relabel an ISO-8859-1 deck as UTF-8 and convert its text after.
  const latin1 = bytes[1] !== 0 && bytes[2] === 0x04;
  const input_bytes = latin1 ? Buffer.concat([bytes.subarray(0, 2), Buffer.from([0x6a]), bytes.subarray(3)]) : bytes;
  await writeFile(input, input_bytes);
  try {
    await run('wbxml2xml', ['-o', output, input], { timeout: 10_000 });
    const xml = await readFile(output);
    return latin1 ? xml.toString('latin1') : xml.toString('utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? 'wbxml2xml is missing: apt-get install -y libwbxml2-utils' : `wbxml2xml could not decompile ${bytes.length} bytes: ${(err as Error).message}`);
  } finally {
    await rm(input, { force: true });
    await rm(output, { force: true });
  }
}

/** Single-quotes a word for bash. */
const sh = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

// The -X command: tell where the gateway's work dir is (the lock is ours, so the state file is
// ours), then run each line read from stdin and mark its end. EOF on stdin ends the run.
const LOOP = [
  'read -r _ _ _ work < "${TMPDIR:-/tmp}/wap-fetch.state" || exit 1',
  'echo "@@WORK $work"',
  'while IFS= read -r step; do eval "$step" 2>&1; echo "@@END $?"; done',
].join('; ');

interface AccessLine {
  url: string;
  origin: OriginReply;
}

function parseAccessLog(text: string): AccessLine[] {
  const lines: AccessLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^\S+ \S+ \S+ - (\w+) <(.*)> \((.*), charset='(.*)'\) (-?\d+) (-?\d+) <.*> <.*>$/.exec(line);
    if (m) lines.push({ url: m[2], origin: { contentType: m[3], charset: m[4], bytes: Number(m[5]), status: Number(m[6]) } });
  }
  return lines;
}

/**
 * A phone on a running Kannel: `fetch` sends requests as they are, `go` follows redirects as a
 * phone does. `close` stops Kannel and returns what wapbox logged.
 */
export class KannelPhone {
  readonly options: Required<PhoneOptions>;
  readonly #child: ChildProcess;
  readonly #dir: string;
  readonly #work: string;
  readonly #lines: AsyncIterator<string>;
  readonly #stderr: string[];
  readonly #startLog: number;
  #accessSeen = 0;
  #steps = 0;
  #busy: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(child: ChildProcess, lines: AsyncIterator<string>, stderr: string[], dir: string, work: string, startLog: number, options: Required<PhoneOptions>) {
    this.#child = child;
    this.#lines = lines;
    this.#stderr = stderr;
    this.#dir = dir;
    this.#work = work;
    this.#startLog = startLog;
    this.options = options;
  }

  /** Starts Kannel (waiting for the lock if another run holds it) with this phone. */
  static async start(options: PhoneOptions = {}, startTimeoutMs = 60_000): Promise<KannelPhone> {
    const wapFetch = join(INTEROP, 'wap-fetch.sh');
    if (!existsSync(wapFetch)) throw new Error(`wap-fetch.sh is not at ${wapFetch}: set KANNEL_INTEROP, or keep ../shared/ beside the repository`);
    const opts: Required<PhoneOptions> = { userAgent: NOKIA.userAgent, accept: NOKIA.accept, sdu: NOKIA.sdu, headers: [], timeout: 10, ...options };
    const dir = await mkdtemp(join(tmpdir(), 'kannel-phone-'));
    // detached: its own process group, so a gateway that hangs can be stopped with everything it started.
    const child = spawn(wapFetch, ['-k', '-X', LOOP], { cwd: INTEROP, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const stderr: string[] = [];
    child.stderr!.setEncoding('utf8').on('data', (s: string) => stderr.push(s));
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    let timer: NodeJS.Timeout | undefined;
    try {
      const first = await Promise.race([
        lines.next(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`Kannel did not start within ${startTimeoutMs / 1000} s`)), startTimeoutMs);
        }),
      ]);
      if (first.done || !String(first.value).startsWith('@@WORK ')) {
        await exited(child, 5000);
        throw new Error(`Kannel did not start:\n${stderr.join('')}${first.done ? '' : first.value}`);
      }
      const work = String(first.value).slice('@@WORK '.length);
      const startLog = (await stat(join(work, 'wapbox.log'))).size;
      return new KannelPhone(child, lines, stderr, dir, work, startLog, opts);
    } catch (err) {
      killGroup(child);
      await rm(dir, { recursive: true, force: true });
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  /** GET, not following redirects. */
  get(url: string): Promise<WapReply> {
    return this.fetch([{ url }]).then((r) => r[0]);
  }

  /** POST of a form, not following redirects. */
  post(url: string, form: Record<string, string> | string): Promise<WapReply> {
    const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
    return this.fetch([{ url, method: 'POST', body }]).then((r) => r[0]);
  }

  /** A request as a phone makes it: on a 3xx, GET the Location (resolved against the request URL), up to 5 times. */
  async go(request: WapRequest | string): Promise<WapReply> {
    let reply = (await this.fetch([typeof request === 'string' ? { url: request } : request]))[0];
    const redirects: WapReply[] = [];
    while (reply.status >= 300 && reply.status < 400 && reply.headers.location !== undefined && redirects.length < 5) {
      redirects.push(reply);
      reply = await this.get(new URL(reply.headers.location, reply.url).toString());
    }
    reply.redirects = redirects;
    return reply;
  }

  /**
   * Sends the requests in order. Consecutive GETs go in one wsp-client.js run (one WSP session);
   * each POST is a run of its own (wsp-client.js sends one body to every URL of a run).
   */
  fetch(requests: WapRequest[]): Promise<WapReply[]> {
    const job = this.#busy.then(async () => {
      const replies: WapReply[] = [];
      for (let i = 0; i < requests.length; ) {
        let j = i + 1;
        if ((requests[i].method ?? 'GET') === 'GET') while (j < requests.length && (requests[j].method ?? 'GET') === 'GET') j++;
        replies.push(...(await this.#run(requests.slice(i, j))));
        i = j;
      }
      return replies;
    });
    this.#busy = job.catch(() => undefined);
    return job;
  }

  async #run(requests: WapRequest[]): Promise<WapReply[]> {
    if (this.#closed) throw new Error('the Kannel phone is closed');
    const step = this.#steps++;
    const prefix = join(this.#dir, `step${step}`);
    const o = this.options;
    const args = [process.execPath, 'wsp-client.js', '-t', String(o.timeout), '-A', o.userAgent, '-H', `Accept: ${o.accept}`, ...o.headers.flatMap((h) => ['-H', h]), '--sdu', String(o.sdu), '-o', prefix];
    const post = requests[0].method === 'POST';
    if (post) {
      const file = `${prefix}.post`;
      await writeFile(file, requests[0].body ?? '');
      args.push('--post', file, '--ctype', requests[0].contentType ?? 'application/x-www-form-urlencoded');
    }
    args.push(...requests.map((r) => r.url));
    const logBefore = await this.#logSize();
    this.#child.stdin!.write(args.map(sh).join(' ') + '\n');
    const output: string[] = [];
    const deadline = (o.timeout + 5) * 1000 * requests.length + 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      for (;;) {
        const next = await Promise.race([
          this.#lines.next(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`no answer from wsp-client.js within ${deadline / 1000} s`)), deadline);
          }),
        ]);
        clearTimeout(timer);
        if (next.done) throw new Error(`Kannel stopped:\n${this.#stderr.join('')}`);
        if (String(next.value).startsWith('@@END ')) break;
        output.push(String(next.value));
      }
    } catch (err) {
      clearTimeout(timer);
      await this.close().catch(() => undefined);
      throw err;
    }
    const warnings = (await this.#logSince(logBefore)).filter((l) => / (WARNING|ERROR|PANIC): /.test(l)).map((l) => l.replace(/^.*?\] (WARNING|ERROR|PANIC): /, '$1: '));
    const json = output.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
    const failed = json.find((j) => j.error !== undefined);
    if (failed || json.length !== requests.length) {
      throw new Error(`wsp-client.js: ${failed ? String(failed.error) : `${json.length} replies to ${requests.length} requests`}\n${output.join('\n')}\n${warnings.join('\n')}`);
    }
    const access = await this.#accessLines();
    const replies: WapReply[] = [];
    for (const [k, reply] of json.entries()) {
      const { contentType, headers } = decodeWspHeaders(String(reply.headersHex));
      const body = await readFile(`${prefix}.${k}.bin`);
      const compiled = contentType.startsWith('application/vnd.wap.wmlc');
      const url = requests[k].url;
      const originIndex = access.findIndex((a) => a.url === url);
      const origin = originIndex >= 0 ? access.splice(originIndex, 1)[0].origin : undefined;
      replies.push({
        url,
        method: requests[k].method ?? 'GET',
        status: Number(reply.status),
        contentType,
        headers,
        body,
        deck: compiled && body.length > 0 ? await wbxmlToXml(body, this.#dir) : body.toString('utf8'),
        origin,
        // wapbox does not say which request a line is about: all those of the run.
        warnings,
        redirects: [],
      });
    }
    return replies;
  }

  async #logSize(): Promise<number> {
    return (await stat(join(this.#work, 'wapbox.log'))).size;
  }

  async #logSince(offset: number): Promise<string[]> {
    const file = await open(join(this.#work, 'wapbox.log'));
    try {
      const { size } = await file.stat();
      const buf = Buffer.alloc(Math.max(0, size - offset));
      await file.read(buf, 0, buf.length, offset);
      return buf.toString('utf8').split('\n').filter(Boolean);
    } finally {
      await file.close();
    }
  }

  /** Access log lines about our requests since the last call (wapbox writes them before it replies). */
  async #accessLines(): Promise<AccessLine[]> {
    const lines = parseAccessLog(await readFile(join(this.#work, 'access.log'), 'utf8').catch(() => '')).filter((l) => !l.url.startsWith('kannel:'));
    const fresh = lines.slice(this.#accessSeen);
    this.#accessSeen = lines.length;
    return fresh;
  }

  /** Stops Kannel; returns the WARNING/ERROR lines wapbox logged since the phone started, and wap-fetch.sh's timing line. */
  async close(): Promise<{ warnings: string[]; timing: string }> {
    if (this.#closed) return { warnings: [], timing: '' };
    this.#closed = true;
    let warnings: string[] = [];
    try {
      warnings = (await this.#logSince(this.#startLog)).filter((l) => / (WARNING|ERROR|PANIC): /.test(l));
    } catch {
      // the work dir is gone if wap-fetch.sh died
    }
    this.#child.stdin!.end();
    if (!(await exited(this.#child, 10_000))) {
      killGroup(this.#child);
      await exited(this.#child, 5000);
    }
    await rm(this.#dir, { recursive: true, force: true });
    if (this.#work.startsWith(tmpdir()) && /wap-fetch\.\w+$/.test(this.#work)) await rm(this.#work, { recursive: true, force: true });
    const timing = this.#stderr.join('').match(/# timing: .*/)?.[0] ?? '';
    return { warnings, timing };
  }
}

function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

/** One Kannel run for a list of requests (consecutive GETs in one WSP session): start, fetch, stop. */
export async function kannelFetch(requests: WapRequest[], options: PhoneOptions = {}): Promise<{ replies: WapReply[]; warnings: string[] }> {
  const phone = await KannelPhone.start(options);
  try {
    const replies = await phone.fetch(requests);
    const { warnings } = await phone.close();
    return { replies, warnings };
  } finally {
    await phone.close();
  }
}
