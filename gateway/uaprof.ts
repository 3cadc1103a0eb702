// UAProf: what a WAP phone's profile (an RDF document its maker publishes, named by the
// `x-wap-profile` or `Profile` header) says about it: the deck size, and the screen.
// Fetched once per URL and kept, successes and failures alike; a profile that cannot be had
// is simply not used: it never throws, never fails or holds up a page beyond the short timeout.
import { isIP } from 'node:net';
import { LRUCache } from 'lru-cache';

export interface ProfileFacts {
  /** `WmlDeckSize`: the largest WML deck, in bytes (of compiled WBXML). */
  deckSize?: number;
  /** `ScreenSize`, in pixels. */
  screenPixels?: { width: number; height: number };
  /** `ScreenSizeChar`, in characters. */
  screenChars?: { cols: number; rows: number };
}

export interface ProfileCacheOptions {
  /** The fetch to use (tests pass their own). */
  fetch?: typeof globalThis.fetch;
  /** Where a profile that cannot be used is reported, once per URL. */
  log?: (message: string) => void;
  /** The whole look-up, redirects and body included (ms). */
  timeoutMs?: number;
  /** The largest profile read (bytes); real ones are 5–30 KB. */
  maxBytes?: number;
  /** How many URLs are remembered. */
  maxEntries?: number;
  /** How long a profile that was read is kept (ms). */
  ttlMs?: number;
  /** How long a failure is kept before the URL is tried again (ms). */
  failureTtlMs?: number;
  /** Look-ups under way at once; past it a new URL goes without (and is tried on a later request). */
  maxConcurrent?: number;
  /** Which hosts may be fetched: by default public names and addresses only (see publicHost). */
  allowHost?: (hostname: string) => boolean;
}

const MAX_REDIRECTS = 3;
const MAX_URL_LENGTH = 2048;

/**
 * The first http(s) URL in `x-wap-profile` / `Profile` header values, quotes stripped. A value is a
 * list of quoted URLs and profile-diff names (`"http://…/N6230r200.xml", "1-Rb0sq/nuUFQU75vAjKyiHw=="`).
 */
export function profileUrl(...headers: (string | undefined)[]): string | undefined {
  for (const header of headers) {
    for (const m of (header ?? '').matchAll(/"([^"]*)"|'([^']*)'|([^,\s"']+)/g)) {
      const url = checkedUrl((m[1] ?? m[2] ?? m[3]).trim());
      if (url) return url;
    }
  }
  return undefined;
}

/** The URL in its normal form, when it is one we may fetch: http(s), no credentials, not too long. */
function checkedUrl(raw: string): string | undefined {
  if (raw.length === 0 || raw.length > MAX_URL_LENGTH || !/^https?:\/\//i.test(raw)) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return undefined;
  url.hash = '';
  return url.href;
}

/**
 * Whether a host looks public. The URL comes from a request header, so anyone can name any host:
 * loopback, private, link-local (cloud metadata) and multicast addresses, and `localhost`, are
 * refused. A public name that resolves to a private address is not caught here; a deployment that
 * cares puts the gateway's outbound traffic behind an egress proxy or passes its own allowHost.
 */
export function publicHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '') return false;
  const family = isIP(host);
  if (family === 4) return publicIpv4(host);
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host);
    if (mapped) return publicIpv4(mapped[1]);
    if (host === '::' || host === '::1' || host.startsWith('::ffff:')) return false;
    return !/^(f[cd]|fe[89ab]|ff)/.test(host); // unique local, link-local, multicast
  }
  return true;
}

function publicIpv4(host: string): boolean {
  const [a, b] = host.split('.').map(Number);
  return !(a === 0 || a === 10 || a === 127 || a >= 224 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127));
}

/** The text of an XML document: UTF-16 when it says so with a byte order mark, otherwise UTF-8 (ASCII is all we read). */
function xmlText(bytes: Buffer): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2)).swap16().toString('utf16le');
  return bytes.toString('utf8');
}

/**
 * The text of the first `name` property in any namespace prefix, element or attribute form, with
 * any markup inside (an `rdf:Bag` of `rdf:li`) stripped: `<prf:WmlDeckSize>1400</prf:WmlDeckSize>`,
 * `<WmlDeckSize><rdf:Bag><rdf:li>1400</rdf:li></rdf:Bag></WmlDeckSize>`, `prf:WmlDeckSize="1400"`.
 */
function property(rdf: string, name: string): string | undefined {
  const element = new RegExp(`<(?:[\\w.-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?${name}\\s*>`).exec(rdf);
  if (element) return element[1].replace(/<[^>]*>/g, ' ').trim();
  const attribute = new RegExp(`\\s(?:[\\w.-]+:)?${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(rdf);
  return attribute ? (attribute[1] ?? attribute[2]).trim() : undefined;
}

/** A whole number of a sensible size (a property holds one, maybe with spaces around it). */
function count(text: string | undefined): number | undefined {
  if (!text || !/^\d{1,9}$/.test(text)) return undefined;
  const n = Number(text);
  return n > 0 ? n : undefined;
}

function dimensions(text: string | undefined): [number, number] | undefined {
  const m = /^(\d{1,5})\s*[x×*]\s*(\d{1,5})$/i.exec(text ?? '');
  return m && Number(m[1]) > 0 && Number(m[2]) > 0 ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * What a UAProf document says that we use, or undefined when it says none of it (garbage, an HTML
 * error page served as 200, a profile without these properties). Reads the properties by name:
 * a UAProf's namespaces and prefixes vary from maker to maker and year to year, a full RDF parse
 * would buy nothing for three numbers.
 */
export function parseProfile(text: string): ProfileFacts | undefined {
  const rdf = text.replace(/<!--[\s\S]*?-->/g, '');
  const facts: ProfileFacts = {};
  const deck = count(property(rdf, 'WmlDeckSize'));
  if (deck !== undefined) facts.deckSize = deck;
  const pixels = dimensions(property(rdf, 'ScreenSize'));
  if (pixels) facts.screenPixels = { width: pixels[0], height: pixels[1] };
  const chars = dimensions(property(rdf, 'ScreenSizeChar'));
  if (chars) facts.screenChars = { cols: chars[0], rows: chars[1] };
  return Object.keys(facts).length > 0 ? facts : undefined;
}

class ProfileError extends Error {}

interface Entry {
  pending: Promise<ProfileFacts | undefined>;
  settled: boolean;
  facts?: ProfileFacts;
}

/** Profiles by URL: each fetched once, concurrent askers sharing the one fetch. */
export class ProfileCache {
  readonly #fetch: typeof globalThis.fetch;
  readonly #log: (message: string) => void;
  readonly #timeoutMs: number;
  readonly #maxBytes: number;
  readonly #ttlMs: number;
  readonly #failureTtlMs: number;
  readonly #maxConcurrent: number;
  readonly #allowHost: (hostname: string) => boolean;
  /** A pending or settled look-up per URL; a failure is kept as undefined facts, for a shorter time. */
  readonly #entries: LRUCache<string, Entry>;
  /** URLs already reported, so that a failing profile is logged once, not once per failure TTL. */
  readonly #reported: LRUCache<string, true>;
  #inFlight = 0;

  constructor(options: ProfileCacheOptions = {}) {
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#log = options.log ?? ((message) => console.warn(message));
    this.#timeoutMs = options.timeoutMs ?? 2000;
    this.#maxBytes = options.maxBytes ?? 256 * 1024;
    this.#ttlMs = options.ttlMs ?? 24 * 60 * 60 * 1000;
    this.#failureTtlMs = options.failureTtlMs ?? 10 * 60 * 1000;
    this.#maxConcurrent = options.maxConcurrent ?? 16;
    this.#allowHost = options.allowHost ?? publicHost;
    const maxEntries = options.maxEntries ?? 1000;
    this.#entries = new LRUCache({ max: maxEntries, ttl: this.#ttlMs });
    this.#reported = new LRUCache({ max: maxEntries });
  }

  /** The deck size the profile at `url` declares, or undefined (no URL, no profile, no such property). */
  async deckSizeFor(url: string | undefined): Promise<number | undefined> {
    return (await this.profileFor(url))?.deckSize;
  }

  /**
   * The deck size if the profile has already been read, without waiting: undefined while it is
   * being fetched (the fetch is started) or when it cannot be had. For a request that must not
   * wait even the first time a model is seen.
   */
  knownDeckSize(url: string | undefined): number | undefined {
    const entry = this.#entry(url);
    return entry?.settled ? entry.facts?.deckSize : undefined;
  }

  /** What the profile at `url` says, or undefined. Never rejects. */
  profileFor(url: string | undefined): Promise<ProfileFacts | undefined> {
    return this.#entry(url)?.pending ?? Promise.resolve(undefined);
  }

  /** The look-up for a URL: the one remembered, or one started now (none for a URL we do not fetch, or when too many are under way). */
  #entry(url: string | undefined): Entry | undefined {
    const key = url === undefined ? undefined : checkedUrl(url.trim());
    if (key === undefined) return undefined;
    const known = this.#entries.get(key);
    if (known) return known;
    if (this.#inFlight >= this.#maxConcurrent) return undefined; // not kept: tried again on a later request
    this.#inFlight++;
    const entry: Entry = {
      settled: false,
      pending: this.#load(key).then((facts) => {
        this.#inFlight--;
        entry.settled = true;
        entry.facts = facts;
        // Keep it (again, if it was evicted meanwhile) for as long as its kind deserves.
        const current = this.#entries.peek(key);
        if (current === entry || current === undefined) this.#entries.set(key, entry, { ttl: facts ? this.#ttlMs : this.#failureTtlMs });
        return facts;
      }),
    };
    this.#entries.set(key, entry);
    return entry;
  }

  async #load(url: string): Promise<ProfileFacts | undefined> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new ProfileError(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    timer.unref?.();
    try {
      // The race ends the wait at the timeout even with a fetch that ignores its signal.
      const download = this.#download(url, controller.signal);
      download.catch(() => {});
      const bytes = await Promise.race([download, rejectOnAbort(controller.signal)]);
      const facts = parseProfile(xmlText(bytes));
      if (!facts) throw new ProfileError('no WmlDeckSize, ScreenSize or ScreenSizeChar in it');
      return facts;
    } catch (err) {
      this.#report(url, err);
      return undefined;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  async #download(url: string, signal: AbortSignal): Promise<Buffer> {
    let target = url;
    for (let hops = 0; ; hops++) {
      if (!this.#allowHost(new URL(target).hostname)) throw new ProfileError(`${new URL(target).hostname} is not a public host`);
      const response = await this.#fetch(target, {
        signal,
        redirect: 'manual',
        headers: { accept: 'application/rdf+xml, application/xml, text/xml, */*;q=0.1' },
      });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel().catch(() => {});
        const next = hops < MAX_REDIRECTS ? checkedUrl(new URL(location, target).href) : undefined;
        if (!next) throw new ProfileError(hops < MAX_REDIRECTS ? `redirected to ${location}` : 'too many redirects');
        target = next;
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel().catch(() => {});
        throw new ProfileError(`HTTP ${response.status}`);
      }
      const length = Number(response.headers.get('content-length') ?? NaN);
      if (length > this.#maxBytes) {
        await response.body?.cancel().catch(() => {});
        throw new ProfileError(`${length} bytes, more than ${this.#maxBytes}`);
      }
      return this.#read(response);
    }
  }

  /** The body, up to the size limit: a longer one is abandoned as soon as it passes it. */
  async #read(response: Response): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    if (!response.body) return Buffer.alloc(0);
    for await (const chunk of response.body) {
      size += chunk.byteLength;
      if (size > this.#maxBytes) throw new ProfileError(`more than ${this.#maxBytes} bytes`); // leaving the loop cancels the stream
      chunks.push(Buffer.from(chunk));
    }
    return Buffer.concat(chunks);
  }

  #report(url: string, err: unknown): void {
    if (this.#reported.has(url)) return;
    this.#reported.set(url, true);
    const reason = err instanceof Error ? err.message : String(err);
    try {
      this.#log(`UAProf ${url} not used: ${reason}`);
    } catch {
      // a failing logger must not fail the page either
    }
  }
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
