// Dial-up HTTP: a page the browser already holds costs a 304 and no body; a page it does not
// travels gzip- or deflate-compressed when the browser accepts it.
//
// Which responses:
// - Only bodies of type text/html, that is HTML and cHTML. Never WML: a WAP phone's requests come
//   through an operator gateway that compiles the deck to WBXML and speaks WSP to the phone, so
//   the phone never sees our content-coding or validators, the deck is already ~1.4 KB, and a
//   WAP 1.x gateway that does not decode gzip would pass garbage on.
// - ETag and 304 only on a 200 to GET or HEAD (RFC 9110 §13.1.2: If-None-Match is evaluated only
//   when the response would otherwise be 2xx). A redirect or an error page carries no validator:
//   a browser must not revalidate an error as if it were the page, nor keep a redirect that ends
//   a login.
// - Compression on any such page except redirects (their body is a line of text a browser never
//   shows) and statuses without a body: a dial-up user reads error pages too.
// Pages are per user (the session token is in the URL), so they are marked private: a dial-up
// ISP's shared proxy must not keep them; `no-cache` makes the browser revalidate each time, which
// with the ETag is a few hundred bytes instead of the page.
import { createHash } from 'node:crypto';
import { deflateSync, gzipSync, constants } from 'node:zlib';
import type { Middleware } from 'koa';

export type Coding = 'gzip' | 'deflate' | 'identity';

export interface ConditionalOptions {
  /** Bodies smaller than this go uncompressed: the gzip header and trailer (18 bytes) would eat the gain. */
  threshold?: number;
}

/** Smallest body worth compressing (bytes). */
export const COMPRESS_THRESHOLD = 256;

const HTML = /^text\/html\s*(;|$)/i;

/** A strong ETag for the body as sent: a hash of the encoded bytes, the coding appended (RFC 9110 §8.8.3: each coding is its own representation). */
export function etagOf(body: Buffer, coding: Coding = 'identity'): string {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  return coding === 'identity' ? `"${hash}"` : `"${hash}-${coding}"`;
}

/**
 * Whether If-None-Match matches: `*`, or any of its tags by the weak comparison RFC 9110 §13.1.2
 * prescribes for it (W/ prefixes ignored). Tags of every coding of the body match: a browser
 * keeps the page decoded, whichever coding brought it.
 */
export function noneMatch(header: string | undefined, tags: readonly string[]): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const sent = header.match(/(W\/)?"[^"]*"/g) ?? [];
  return sent.some((tag) => tags.includes(tag.replace(/^W\//, '')));
}

/**
 * The coding to send, from Accept-Encoding: gzip or deflate by the highest q above 0 (gzip on a
 * tie: "deflate" was sent raw by some servers and read raw by some browsers, gzip never was
 * ambiguous), `*` standing for codings not named, identity when nothing else is accepted.
 */
export function chooseCoding(acceptEncoding: string | undefined): Coding {
  if (!acceptEncoding) return 'identity';
  const q = new Map<string, number>();
  for (const item of acceptEncoding.split(',')) {
    const [name, ...params] = item.split(';').map((s) => s.trim().toLowerCase());
    if (!name) continue;
    const qParam = params.find((p) => /^q\s*=/.test(p));
    const value = qParam === undefined ? 1 : Number(qParam.slice(qParam.indexOf('=') + 1).trim());
    q.set(name === 'x-gzip' ? 'gzip' : name, Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
  }
  const star = q.get('*');
  const of = (coding: 'gzip' | 'deflate') => q.get(coding) ?? star ?? 0;
  const gzip = of('gzip');
  const deflate = of('deflate');
  if (gzip === 0 && deflate === 0) return 'identity';
  return gzip >= deflate ? 'gzip' : 'deflate';
}

function compress(body: Buffer, coding: 'gzip' | 'deflate'): Buffer {
  // A page is a few KB: level 9 costs nothing noticeable and every byte saved is time on a modem.
  const options = { level: constants.Z_BEST_COMPRESSION };
  return coding === 'gzip' ? gzipSync(body, options) : deflateSync(body, options);
}

function hasNoBody(status: number): boolean {
  return status === 204 || status === 304 || (status >= 100 && status < 200);
}

/** ETag, 304, compression and `Vary: Accept-Encoding` for HTML and cHTML pages (see above). */
export function conditional(options: ConditionalOptions = {}): Middleware {
  const threshold = options.threshold ?? COMPRESS_THRESHOLD;
  return async (ctx, next) => {
    await next();
    const status = ctx.status;
    if (!HTML.test(ctx.response.get('Content-Type')) || hasNoBody(status) || (status >= 300 && status < 400)) return;
    const body = typeof ctx.body === 'string' ? Buffer.from(ctx.body) : ctx.body;
    if (!Buffer.isBuffer(body) || ctx.response.get('Content-Encoding')) return; // a stream, or already encoded: left alone
    ctx.vary('Accept-Encoding');

    const coding = body.length >= threshold && !/no-transform/i.test(ctx.response.get('Cache-Control')) ? chooseCoding(ctx.get('Accept-Encoding')) : 'identity';
    if (status === 200 && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
      if (!ctx.response.get('Cache-Control')) ctx.set('Cache-Control', 'private, no-cache');
      const identityTag = etagOf(body);
      const tags = [identityTag, ...(['gzip', 'deflate'] as const).map((c) => etagOf(body, c))];
      ctx.set('ETag', coding === 'identity' ? identityTag : etagOf(body, coding));
      if (noneMatch(ctx.get('If-None-Match'), tags)) {
        ctx.body = null; // Koa drops Content-Type and Content-Length with the body
        ctx.status = 304;
        return;
      }
    }
    if (coding === 'identity') return;
    const compressed = compress(body, coding);
    if (compressed.length >= body.length) {
      if (ctx.response.get('ETag')) ctx.set('ETag', etagOf(body));
      return;
    }
    const type = ctx.response.get('Content-Type');
    ctx.body = compressed;
    ctx.set('Content-Type', type);
    ctx.set('Content-Encoding', coding);
  };
}
