// A dial-up user in lynx: the real gateway over the demo data, each main screen dumped by lynx
// itself (`lynx -dump -nolist`), read for what a person sees: the words that matter, no markup
// left over, nothing wider than an 80-column terminal, and not a wall of text.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Handset, encodeForm, startGateway, type Running } from '../support/client.ts';
import { closeTestPortals } from '../support/system.ts';

const run = promisify(execFile);

const LYNX_MISSING = 'lynx is not installed: these tests run the real lynx browser (Debian/Ubuntu: apt-get install lynx)';
const WIDTH = 80;
const MAX_LINES = 40;

/** What lynx sends (its own User-Agent and Accept); the gateway must treat it as a dial-up browser. */
const LYNX_HEADERS = { 'user-agent': 'Lynx/2.9.0dev.12 libwww-FM/2.14 SSL-MM/1.4.1 GNUTLS/3.7.8', accept: 'text/html, text/plain, text/sgml, */*;q=0.01' };

let gateway: Running;
let home: string;
/** lynx reads ~/.lynxrc and may write cookies there: it gets an empty home of its own. */
let lynxHome: string;

test.before(async () => {
  try {
    await run('lynx', ['-version']);
  } catch (err) {
    throw new Error(`${LYNX_MISSING} (${(err as Error).message})`);
  }
  lynxHome = mkdtempSync(join(tmpdir(), 'lynx-home-'));
  gateway = await startGateway();
  home = await logIn();
});

test.after.always(async () => {
  await gateway?.close();
  await closeTestPortals();
  if (lynxHome) rmSync(lynxHome, { recursive: true, force: true });
});

/** Logs in as demo with the two POSTs a browser would make; the session URL is the 303's Location. */
async function logIn(): Promise<string> {
  const post = (path: string, form: Record<string, string>) =>
    fetch(new URL(path, gateway.base), {
      method: 'POST',
      redirect: 'manual',
      headers: { ...LYNX_HEADERS, 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm(form, 'utf-8'),
    });
  const step1 = await post('/login', { login: 'demo' });
  if (step1.status !== 200) throw new Error(`login step 1: HTTP ${step1.status}`);
  const step2 = await post('/login/password', { login: 'demo', password: 'demo' });
  const location = step2.headers.get('location');
  if (step2.status !== 303 || !location || !/^\/s\/[^/]+\/$/.test(location)) throw new Error(`login step 2: HTTP ${step2.status}, Location ${location}`);
  return location;
}

/** The page as lynx shows it: `lynx -dump -nolist` at 80 columns, UTF-8 out. */
async function dump(path: string): Promise<string> {
  const { stdout } = await run('lynx', ['-dump', '-nolist', `-width=${WIDTH}`, '-display_charset=utf-8', '-assume_charset=utf-8', '-noreferer', new URL(path, gateway.base).href], {
    env: { ...process.env, HOME: lynxHome, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return stdout;
}

/** Terminal columns a line takes: East Asian wide characters and emoji take two. */
function columns(line: string): number {
  let n = 0;
  for (const ch of line) {
    const cp = ch.codePointAt(0)!;
    const wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) || cp >= 0x20000;
    n += wide ? 2 : 1;
  }
  return n;
}

/** Everything that makes a dump read well, whatever the screen. */
function readsWell(t: import('ava').ExecutionContext, screen: string, text: string, words: (string | RegExp)[]): void {
  for (const w of words) {
    if (typeof w === 'string') t.true(text.includes(w), `${screen}: "${w}" is missing from\n${text}`);
    else t.regex(text, w, `${screen}: ${w} is missing from\n${text}`);
  }
  t.notRegex(text, /<\/?[a-z!][^>]*>?/i, `${screen}: markup shows through:\n${text}`);
  t.notRegex(text, /&(#\d+|#x[0-9a-f]+|[a-z]+);/i, `${screen}: an entity shows through:\n${text}`);
  t.notRegex(text, /\{\{|\{%|undefined|null|NaN|\[object /, `${screen}: a template or value leaked:\n${text}`);
  t.notRegex(text, /\uFFFD|Ã©|Ã¢/, `${screen}: mojibake:\n${text}`);
  const lines = text.replace(/\n+$/, '').split('\n');
  for (const line of lines) t.true(columns(line) <= WIDTH, `${screen}: a line of ${columns(line)} columns:\n${line}`);
  t.true(lines.length <= MAX_LINES, `${screen}: ${lines.length} lines:\n${text}`);
  t.true(text.trim().length > 0, `${screen}: empty`);
}

/** The gateway's own HTML for a page, to find where its links lead (lynx -nolist hides them). */
function browse(t: import('ava').ExecutionContext) {
  return new Handset(t, gateway.base, 'html', LYNX_HEADERS);
}

test.serial('the login screen', async (t) => {
  const text = await dump('/');
  readsWell(t, 'login', text, ['Log in', 'Login', /Next/]);
});

test.serial('the home screen lists own and shared databases', async (t) => {
  const text = await dump(home);
  readsWell(t, 'home', text, ['Databases', 'Demo User (demo)', 'Wine cellar', 'Restaurants', 'alice', 'read/write', 'New database', 'Log out']);
});

test.serial('a database lists its records', async (t) => {
  const db = (await browse(t).get(home)).link('Wine cellar');
  const text = await dump(db);
  readsWell(t, 'database', text, ['Wine cellar', '6 records', 'B-001, Château Margaux', 'B-006, Sassicaia', 'Add', 'Search', 'Fields', 'Home', 'Log out']);
});

test.serial('a record shows its fields, accents intact', async (t) => {
  const db = (await browse(t).get(home)).link('Wine cellar');
  const record = (await browse(t).get(db)).link(/^B-003/);
  const text = await dump(record);
  readsWell(t, 'record', text, ['Bottle', 'B-003', 'Vineyard', 'Domaine de la Romanée-Conti', 'Year', '2010', 'Rating', 'very good', 'Edit', 'Delete']);
});

test.serial('the record form shows each field with its value', async (t) => {
  const db = (await browse(t).get(home)).link('Wine cellar');
  const record = (await browse(t).get(db)).link(/^B-001/);
  const edit = (await browse(t).get(record)).link('Edit');
  const text = await dump(edit);
  readsWell(t, 'record form', text, ['Bottle', 'B-001', 'Vineyard', 'Château Margaux', 'Year (a number)', '1998', 'Rating', 'Save', 'Cancel']);
});

test.serial('the search screen', async (t) => {
  const db = (await browse(t).get(home)).link('Wine cellar');
  const search = (await browse(t).get(db)).link('Search');
  const text = await dump(search);
  readsWell(t, 'search', text, ['Field', 'Comparison', 'Value', 'Find', 'Wine cellar']);
});

test.serial('search results', async (t) => {
  const db = (await browse(t).get(home)).link('Wine cellar');
  const searchPage = await browse(t).get((await browse(t).get(db)).link('Search'));
  const vineyard = /<option value="(\d+)"[^>]*>Vineyard<\/option>/.exec(searchPage.text);
  t.truthy(vineyard, 'the search form offers the Vineyard field');
  const results = `${searchPage.action}?f=${vineyard![1]}&op=contains&q=${encodeURIComponent('Château')}`;
  const text = await dump(results);
  readsWell(t, 'results', text, ['Found', 'Vineyard contains Château', 'B-001, Château Margaux', 'B-002, Château Latour', 'Search again']);
  t.false(text.includes('Sassicaia'), 'only what matched');
});
