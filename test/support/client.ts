// A cookieless client that behaves like a handset of one class: it sends that class's headers,
// follows redirects, and checks every page it receives (budget, charset, and the WML DTD).
import type { ExecutionContext } from 'ava';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import iconv from 'iconv-lite';
import { createApp, type AppOptions } from '../../gateway/app.ts';
import { seedDemo } from '../../core/demo.ts';
import type { Portal } from '../../core/portal.ts';
import { closeTestPortal, openTestPortal } from './system.ts';
import { wmlErrors } from './wml.ts';
import { decodeWbxml, toWmlXml } from '../../transcode/wbxml/decode.ts';
import { encodeWml } from '../../transcode/wbxml/encode.ts';
import { detectDevice, type Markup } from '../../gateway/device.ts';

export const HEADERS: Record<Markup, Record<string, string>> = {
  wml: {
    'user-agent': 'Nokia6210/1.0 (04.40)',
    accept: 'application/vnd.wap.wmlscriptc, application/vnd.wap.wmlc, image/vnd.wap.wbmp, text/plain, text/vnd.wap.wmlscript, text/html, text/vnd.wap.wml',
    'accept-charset': 'ISO-8859-1, UTF-8; Q=0.8, ISO-10646-UCS-2; Q=0.6',
  },
  // An i-mode handset without a cache field in its User-Agent: the tightest, 5 KB, budget.
  chtml: { 'user-agent': 'DoCoMo/1.0/P502i', accept: '*/*' },
  html: { 'user-agent': 'Lynx/2.9.0dev.12 libwww-FM/2.14', accept: 'text/html, text/plain, */*;q=0.01' },
};

export interface Link {
  href: string;
  text: string;
}

export class Page {
  readonly status: number;
  readonly url: string;
  readonly headers: Headers;
  readonly bytes: Buffer;
  readonly text: string;

  constructor(status: number, url: string, headers: Headers, bytes: Buffer, text: string) {
    this.status = status;
    this.url = url;
    this.headers = headers;
    this.bytes = bytes;
    this.text = text;
  }

  /** Every link on the page, with its visible text (tags stripped, entities decoded). */
  get links(): Link[] {
    return [...this.text.matchAll(/<a\s[^>]*?href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({ href: unescape(m[1]), text: unescape(m[2].replace(/<[^>]+>/g, '')).trim() }));
  }

  /** The first link whose text matches. */
  link(text: RegExp | string): string {
    const found = this.links.find((l) => (typeof text === 'string' ? l.text === text : text.test(l.text)));
    if (!found) throw new Error(`no link ${text} on ${this.url}:\n${this.text}`);
    return found.href;
  }

  /** Where the page's form sends: `<form action>` in HTML and cHTML, `<go href>` in WML. */
  get action(): string {
    const m = /<form\s[^>]*?action="([^"]*)"/.exec(this.text) ?? /<go\s[^>]*?href="([^"]*)"[^>]*method="post"/.exec(this.text) ?? /<go\s[^>]*?href="([^"]*)"/.exec(this.text);
    if (!m) throw new Error(`no form on ${this.url}:\n${this.text}`);
    return unescape(m[1]);
  }

  /** The page's text without markup, for asserting what a user reads. */
  get words(): string {
    return unescape(this.text.replace(/<[^>]+>/g, ' ')).replace(/\$\$/g, '$').replace(/\s+/g, ' ');
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
function unescape(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (all, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e] ?? all),
  );
}

/** Encodes a form the way the device would post it (i-mode: Shift_JIS bytes). */
export function encodeForm(form: Record<string, string>, charset: 'utf-8' | 'shift_jis'): string {
  return Object.entries(form)
    .map(([k, v]) => `${k}=${[...iconv.encode(v, charset)].map((b) => (/[A-Za-z0-9*._-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0'))).join('')}`)
    .join('&');
}

export class Handset {
  readonly t: ExecutionContext;
  readonly markup: Markup;
  readonly base: string;
  readonly #headers: Record<string, string>;
  /** The anti-forgery value of the last HTML form seen, as a browser would post it back. */
  #csrf: string | undefined;

  constructor(t: ExecutionContext, base: string, markup: Markup, headers: Record<string, string> = HEADERS[markup]) {
    this.t = t;
    this.base = base;
    this.markup = markup;
    this.#headers = headers;
  }

  get(path: string): Promise<Page> {
    return this.request('GET', path);
  }

  /** Posts a form as the page's own form would: an HTML page's anti-forgery field goes along unless the test sets `_csrf`. */
  post(path: string, form: Record<string, string>): Promise<Page> {
    const fields = this.#csrf && !('_csrf' in form) ? { ...form, _csrf: this.#csrf } : form;
    return this.request('POST', path, encodeForm(fields, this.markup === 'chtml' ? 'shift_jis' : 'utf-8'));
  }

  /** Logs in through both steps and returns the home page. */
  async login(login = 'demo', password = 'demo'): Promise<Page> {
    const first = await this.get('/');
    const second = await this.post(first.action, { login });
    this.t.is(second.status, 200, second.words);
    return this.post(second.action, { login, password });
  }

  async request(method: string, path: string, body?: string): Promise<Page> {
    let url = new URL(path, this.base).toString();
    let response = await fetch(url, {
      method,
      body,
      redirect: 'manual',
      headers: { ...this.#headers, ...(body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    });
    for (let hops = 0; response.status >= 300 && response.status < 400 && hops < 5; hops++) {
      this.t.true(this.markup === 'html' || response.status === 302, 'handsets get 302, which WAP 1.x and i-mode know');
      url = new URL(response.headers.get('location')!, url).toString();
      response = await fetch(url, { redirect: 'manual', headers: this.#headers });
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    const wbxml = response.headers.get('content-type') === 'application/vnd.wap.wmlc';
    // A compiled deck is read back through our decoder (its round trip is tested on its own).
    const text = wbxml ? toWmlXml(decodeWbxml(bytes)) : iconv.decode(bytes, this.markup === 'chtml' ? 'shift_jis' : 'utf-8');
    const page = new Page(response.status, url, response.headers, bytes, text);
    this.#csrf = /name="_csrf" value="([^"]*)"/.exec(text)?.[1] ?? this.#csrf;
    this.check(page);
    return page;
  }

  /** What every page must be: the device's own markup, charset and budget (for WML, in compiled bytes). */
  check(page: Page): void {
    const device = detectDevice({ accept: this.#headers.accept, userAgent: this.#headers['user-agent'], clientSduSize: this.#headers['x-wap-client-sdu-size'] });
    const type = page.headers.get('content-type') ?? '';
    const expected = { wml: device.wbxml ? 'application/vnd.wap.wmlc' : 'text/vnd.wap.wml; charset=utf-8', chtml: 'text/html; charset=Shift_JIS', html: 'text/html; charset=utf-8' }[this.markup];
    this.t.is(type, expected, `content type of ${page.url}`);
    const airBytes = this.markup === 'wml' && !device.wbxml ? encodeWml(page.text).length : page.bytes.length;
    this.t.true(airBytes <= device.budget, `${page.url} is ${airBytes} bytes, over the ${device.budget}-byte budget`);
    if (this.markup === 'wml') this.t.is(wmlErrors(page.text), null, `${page.url} is not valid WML:\n${page.text}`);
    this.t.notRegex(page.text, /at \w+ \(.*:\d+:\d+\)|Error: /, 'no stack trace reaches a device');
  }
}

export interface Running {
  portal: Portal;
  base: string;
  close(): Promise<void>;
}

/** The gateway on a free loopback port over a fresh system with the demo data. */
export async function startGateway(options: AppOptions = {}): Promise<Running> {
  const portal = await openTestPortal();
  await seedDemo(portal);
  const errors: unknown[] = [];
  const server: Server = await new Promise((resolve) => {
    const s = createApp(portal, { ...options, log: (err) => errors.push(err) }).listen(0, '127.0.0.1', () => resolve(s));
  });
  // A handset validates each WML page with xmllint, synchronously: on a loaded machine its client
  // can miss the moment to drop an idle connection that Node's server closes after 5 s, and send
  // the next request into a reset. Idle connections are kept far longer than any test step.
  server.keepAliveTimeout = 60_000;
  const { port } = server.address() as AddressInfo;
  return {
    portal,
    base: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeTestPortal(portal);
      if (errors.length) throw new Error(`the gateway logged errors: ${errors.map(String).join('\n')}`);
    },
  };
}

/** Runs `fn` against a fresh gateway (startGateway) and closes it, failing if it logged errors. */
export async function withGateway(fn: (gw: Running) => Promise<void>, options: AppOptions = {}): Promise<void> {
  const gw = await startGateway(options);
  try {
    await fn(gw);
  } finally {
    await gw.close();
  }
}
