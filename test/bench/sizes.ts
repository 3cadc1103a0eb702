// The bytes of each screen for each device class, walked over the demo data as a user would.
import { HEADERS, Page, encodeForm } from '../support/client.ts';
import type { Markup } from '../../gateway/device.ts';
import iconv from 'iconv-lite';

async function fetchPage(base: string, markup: Markup, path: string, form?: Record<string, string>): Promise<Page> {
  let url = new URL(path, base).toString();
  let res = await fetch(url, {
    method: form ? 'POST' : 'GET',
    redirect: 'manual',
    headers: { ...HEADERS[markup], ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    body: form && encodeForm(form, markup === 'chtml' ? 'shift_jis' : 'utf-8'),
  });
  if (res.status === 302 || res.status === 303) {
    url = new URL(res.headers.get('location')!, url).toString();
    res = await fetch(url, { headers: HEADERS[markup] });
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  return new Page(res.status, url, res.headers, bytes, iconv.decode(bytes, markup === 'chtml' ? 'shift_jis' : 'utf-8'));
}

/** Screen name → bytes, for one device class. */
export async function screenSizes(base: string, markup: Markup): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  const get = async (screen: string, path: string, form?: Record<string, string>) => {
    const page = await fetchPage(base, markup, path, form);
    sizes[screen] = page.bytes.length;
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
  return sizes;
}
