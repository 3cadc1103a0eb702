// Dial-up HTTP: ETag and 304, gzip and deflate, over real HTTP to a tiny Koa app on 127.0.0.1.
import test from 'ava';
import Koa from 'koa';
import iconv from 'iconv-lite';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import { chooseCoding, conditional, etagOf, noneMatch } from '../../gateway/conditional.ts';

const ROWS = Array.from({ length: 40 }, (_, i) => `<li><a href="/s/tok/d/c1/1/r/${i + 1}">Château Margaux 1998, bottle ${i + 1}</a></li>`).join('\n');
const PAGE = Buffer.from(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Wine cellar</title></head><body><h1>Wine cellar</h1><ul>\n${ROWS}\n</ul></body></html>\n`);
const CHTML = iconv.encode(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><title>ワイン</title></head><body>${'<a href="/r/1" accesskey="1">シャトー・マルゴー</a><br>'.repeat(30)}</body></html>`, 'shift_jis');
const SMALL = Buffer.from('<!doctype html><title>Log in</title><p>Hello</p>');
const WML = Buffer.from(`<?xml version="1.0"?>\n<!DOCTYPE wml PUBLIC "-//WAPFORUM//DTD WML 1.1//EN" "http://www.wapforum.org/DTD/wml_1.1.xml">\n<wml><card id="c" title="Cellar"><p>${'Château Margaux 1998<br/>'.repeat(40)}</p></card></wml>`);

let server: Server;
let base: URL;
let version = 1;

test.before(async () => {
  const app = new Koa();
  app.use(conditional());
  app.use(async (ctx) => {
    switch (ctx.path) {
      case '/page':
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = PAGE;
        break;
      case '/chtml':
        ctx.type = 'text/html; charset=Shift_JIS';
        ctx.body = CHTML;
        break;
      case '/small':
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = SMALL;
        break;
      case '/changing':
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = Buffer.from(`${PAGE.toString()}<!-- version ${version} -->`);
        break;
      case '/string':
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = PAGE.toString();
        break;
      case '/wml':
        ctx.type = 'text/vnd.wap.wml; charset=utf-8';
        ctx.body = WML;
        break;
      case '/redirect':
        ctx.status = 303;
        ctx.redirect('/page');
        break;
      case '/missing':
        ctx.status = 404;
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = PAGE;
        break;
      case '/form':
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = PAGE;
        break;
      case '/own-cache-control':
        ctx.type = 'text/html; charset=utf-8';
        ctx.set('Cache-Control', 'no-store, no-transform');
        ctx.body = PAGE;
        break;
    }
  });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

test.after.always(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw HTTP exchange: node:http sends only the headers given and never decodes the body. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const varyOf = (r: Reply) => String(r.headers.vary ?? '').split(/\s*,\s*/);

test('a gzip browser gets the page gzipped, and it unzips to the page', async (t) => {
  const r = await get('/page', { 'accept-encoding': 'gzip' });
  t.is(r.status, 200);
  t.is(r.headers['content-encoding'], 'gzip');
  t.is(r.headers['content-type'], 'text/html; charset=utf-8');
  t.is(Number(r.headers['content-length']), r.body.length);
  t.true(r.body.length < PAGE.length / 3, `${r.body.length} bytes for ${PAGE.length}`);
  t.deepEqual(gunzipSync(r.body), PAGE);
  t.true(varyOf(r).includes('Accept-Encoding'));
  t.is(r.headers.etag, etagOf(PAGE, 'gzip'));
});

test('a deflate-only browser gets zlib deflate, and it inflates to the page', async (t) => {
  const r = await get('/page', { 'accept-encoding': 'deflate' });
  t.is(r.headers['content-encoding'], 'deflate');
  t.deepEqual(inflateSync(r.body), PAGE);
  t.is(r.headers.etag, etagOf(PAGE, 'deflate'));
});

test('a Shift_JIS cHTML page comes back byte for byte', async (t) => {
  const r = await get('/chtml', { 'accept-encoding': 'gzip, deflate' });
  t.is(r.headers['content-encoding'], 'gzip');
  t.is(r.headers['content-type'], 'text/html; charset=Shift_JIS');
  t.deepEqual(gunzipSync(r.body), CHTML);
});

test('a string body is compressed as its UTF-8 bytes', async (t) => {
  const r = await get('/string', { 'accept-encoding': 'gzip' });
  t.deepEqual(gunzipSync(r.body), PAGE);
});

const NEGOTIATION: [string | undefined, string | undefined][] = [
  [undefined, undefined],
  ['', undefined],
  ['identity', undefined],
  ['gzip, deflate', 'gzip'],
  ['deflate, gzip', 'gzip'],
  ['gzip;q=0.5, deflate', 'deflate'],
  ['gzip;q=0', undefined],
  ['gzip;q=0, deflate', 'deflate'],
  ['GZIP ; Q=0 , deflate ; q=0.000', undefined],
  ['*', 'gzip'],
  ['*;q=0', undefined],
  ['gzip;q=0, *', 'deflate'],
  ['*;q=0, deflate;q=0.1', 'deflate'],
  ['x-gzip', 'gzip'],
  ['br, zstd', undefined],
  ['compress, identity;q=0', undefined],
];

for (const [accept, coding] of NEGOTIATION) {
  test(`Accept-Encoding ${JSON.stringify(accept)} → ${coding ?? 'no compression'}`, async (t) => {
    const r = await get('/page', accept === undefined ? {} : { 'accept-encoding': accept });
    t.is(r.status, 200);
    t.is(r.headers['content-encoding'], coding);
    const body = coding === 'gzip' ? gunzipSync(r.body) : coding === 'deflate' ? inflateSync(r.body) : r.body;
    t.deepEqual(body, PAGE);
    t.true(varyOf(r).includes('Accept-Encoding'), 'Vary even when not compressed: the answer depends on it');
  });
}

test('a page the browser holds is a 304 with no body', async (t) => {
  const first = await get('/page');
  const etag = String(first.headers.etag);
  t.regex(etag, /^"[A-Za-z0-9_-]{27}"$/, 'a strong ETag');
  t.is(first.headers['cache-control'], 'private, no-cache');
  const again = await get('/page', { 'if-none-match': etag });
  t.is(again.status, 304);
  t.is(again.body.length, 0);
  t.is(again.headers.etag, etag);
  t.is(again.headers['content-type'], undefined);
  t.is(again.headers['content-encoding'], undefined);
  t.true(varyOf(again).includes('Accept-Encoding'));
});

test('a gzipped page revalidates to a 304 too, and so does its tag without gzip', async (t) => {
  const first = await get('/page', { 'accept-encoding': 'gzip' });
  const etag = String(first.headers.etag);
  t.is((await get('/page', { 'accept-encoding': 'gzip', 'if-none-match': etag })).status, 304);
  t.is((await get('/page', { 'if-none-match': etag })).status, 304, 'the browser keeps the page decoded');
});

test('If-None-Match: weak prefix, lists and * match; another tag does not', async (t) => {
  const etag = etagOf(PAGE);
  t.is((await get('/page', { 'if-none-match': `W/${etag}` })).status, 304);
  t.is((await get('/page', { 'if-none-match': `"old", ${etag}` })).status, 304);
  t.is((await get('/page', { 'if-none-match': '*' })).status, 304);
  const other = await get('/page', { 'if-none-match': '"abc"' });
  t.is(other.status, 200);
  t.deepEqual(other.body, PAGE);
});

test('a changed page has a new ETag and is sent in full', async (t) => {
  version = 1;
  const first = await get('/changing');
  version = 2;
  const second = await get('/changing', { 'if-none-match': String(first.headers.etag) });
  t.is(second.status, 200);
  t.not(second.headers.etag, first.headers.etag);
  t.regex(second.body.toString(), /version 2/);
});

test('HEAD gets the same validators and a 304 when it matches', async (t) => {
  const head = await get('/page', { 'accept-encoding': 'gzip' }, 'HEAD');
  t.is(head.status, 200);
  t.is(head.headers.etag, etagOf(PAGE, 'gzip'));
  t.is(head.body.length, 0);
  t.is((await get('/page', { 'if-none-match': etagOf(PAGE) }, 'HEAD')).status, 304);
});

test('a small page is not compressed, but still has its ETag', async (t) => {
  const r = await get('/small', { 'accept-encoding': 'gzip' });
  t.is(r.headers['content-encoding'], undefined);
  t.deepEqual(r.body, SMALL);
  t.is(r.headers.etag, etagOf(SMALL));
  t.is((await get('/small', { 'if-none-match': etagOf(SMALL) })).status, 304);
});

test('WML is left as it is: no ETag, no compression, no Vary on Accept-Encoding', async (t) => {
  const r = await get('/wml', { 'accept-encoding': 'gzip', 'if-none-match': '*' });
  t.is(r.status, 200);
  t.is(r.headers['content-encoding'], undefined);
  t.is(r.headers.etag, undefined);
  t.false(varyOf(r).includes('Accept-Encoding'));
  t.deepEqual(r.body, WML);
});

test('a redirect is left as it is', async (t) => {
  const r = await get('/redirect', { 'accept-encoding': 'gzip', 'if-none-match': '*' });
  t.is(r.status, 303);
  t.is(r.headers.location, '/page');
  t.is(r.headers.etag, undefined);
  t.is(r.headers['content-encoding'], undefined);
});

test('an error page is compressed but has no ETag and never becomes a 304', async (t) => {
  const r = await get('/missing', { 'accept-encoding': 'gzip', 'if-none-match': '*' });
  t.is(r.status, 404);
  t.is(r.headers.etag, undefined);
  t.is(r.headers['content-encoding'], 'gzip');
  t.deepEqual(gunzipSync(r.body), PAGE);
});

test('the answer to a POST has no ETag', async (t) => {
  const r = await get('/form', { 'accept-encoding': 'deflate', 'if-none-match': '*' }, 'POST');
  t.is(r.status, 200);
  t.is(r.headers.etag, undefined);
  t.deepEqual(inflateSync(r.body), PAGE);
});

test('a route that says no-transform is not compressed, and its Cache-Control is kept', async (t) => {
  const r = await get('/own-cache-control', { 'accept-encoding': 'gzip' });
  t.is(r.headers['content-encoding'], undefined);
  t.is(r.headers['cache-control'], 'no-store, no-transform');
  t.deepEqual(r.body, PAGE);
});

test('the pure pieces', (t) => {
  t.is(chooseCoding('gzip;q=1.0, deflate;q=0.9'), 'gzip');
  t.is(chooseCoding('gzip;q=abc'), 'identity', 'an unreadable q is a refusal');
  t.true(noneMatch('"a", W/"b"', ['"b"']));
  t.false(noneMatch(undefined, ['"b"']));
  t.false(noneMatch('', ['"b"']));
  t.not(etagOf(PAGE), etagOf(PAGE, 'gzip'));
  t.is(etagOf(PAGE), etagOf(Buffer.from(PAGE)));
});
