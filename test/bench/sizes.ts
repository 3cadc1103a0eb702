// The bytes of each screen for each device class, walked over the demo data as a user would.
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { HEADERS, Page, encodeForm } from '../support/client.ts';
import type { Markup } from '../../gateway/device.ts';
import { encodeWml } from '../../transcode/wbxml/encode.ts';

/** WML is fetched as text (the path where the operator gateway compiles), so both sizes can be shown. */
const WALK_HEADERS: Record<Markup, Record<string, string>> = { ...HEADERS, wml: { ...HEADERS.wml, accept: 'text/vnd.wap.wml' } };

export async function fetchPage(base: string, markup: Markup, path: string, form?: Record<string, string>): Promise<Page> {
  let url = new URL(path, base).toString();
  let res = await fetch(url, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: { ...WALK_HEADERS[markup], ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form && encodeForm(form, markup === 'chtml' ? 'shift_jis' : 'utf-8'),
  });
  if (res.status === 302 || res.status === 303) {
    url = new URL(res.headers.get('location')!, url).toString();
    res = await fetch(url, { headers: WALK_HEADERS[markup] });
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  return new Page(res.status, url, res.headers, bytes, iconv.decode(bytes, markup === 'chtml' ? 'shift_jis' : 'utf-8'));
}

export interface ScreenSizes {
  /** Screen name → path, for fetching the same screen again (e.g. through Kannel). */
  paths: Record<string, string>;
  wmlText: Record<string, number>;
  wbxml: Record<string, number>;
  chtml: Record<string, number>;
  html: Record<string, number>;
  htmlGzip: Record<string, number>;
}

/** Walks the screens once per device class; every class gets its own session. */
export async function screenSizes(base: string): Promise<ScreenSizes> {
  const sizes: ScreenSizes = { paths: {}, wmlText: {}, wbxml: {}, chtml: {}, html: {}, htmlGzip: {} };
  for (const markup of ['wml', 'chtml', 'html'] as const) {
    const get = async (screen: string, path: string, form?: Record<string, string>) => {
      const page = await fetchPage(base, markup, path, form);
      if (markup === 'wml') {
        sizes.wmlText[screen] = page.bytes.length;
        sizes.wbxml[screen] = encodeWml(page.text).length;
        // A screen can be fetched again by its URL unless a POST answered it directly.
        const redirected = page.url !== new URL(path, base).toString();
        if (!form || redirected) sizes.paths[screen] = new URL(page.url).pathname + new URL(page.url).search;
      } else if (markup === 'chtml') sizes.chtml[screen] = page.bytes.length;
      else {
        sizes.html[screen] = page.bytes.length;
        sizes.htmlGzip[screen] = gzipSync(page.bytes).length;
      }
      return page;
    };
    const login = await get('login', '/');
    const password = await get('password', login.action, { login: 'demo' });
    const home = await get('home', password.action, { login: 'demo', password: 'demo' });
    const db = await get('database', home.link(/Wine cellar/));
    const record = await get('record', db.link(/Margaux/));
    await get('record_form', record.link(/edit/i));
    await get('confirm', record.link(/delete/i));
    await get('db_form', home.link(/new/i));
    await get('field_form', db.link(/field/i));
    const search = await get('search', db.link(/search/i));
    const year = /<option value="(\d+)"[^>]*>Year</.exec(search.text)![1];
    await get('results', `${search.action.replace(/&amp;/g, '&')}?f=${year}&op=lt&q=2010`);
    await get('error', `${home.url}nowhere`);
  }
  return sizes;
}
