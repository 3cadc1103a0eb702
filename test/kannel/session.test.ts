// Every screen reaches a WAP 1.x phone through a real operator gateway: Kannel 1.4.5 on loopback
// (see test/support/kannel.ts), with a Nokia 7110 that accepts compiled WML only and declares a
// 1,400-byte client SDU. Both ways a deck can be compiled are walked:
//   path A: the gateway sends WML text (createApp's compileWml: false) and Kannel compiles it;
//   path B: the gateway compiles WML to WBXML itself, and Kannel passes it through.
// Kannel's UDP ports are fixed, so every test here is serial, and no other file uses Kannel.
import test, { type ExecutionContext } from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../gateway/app.ts';
import { seedDemo } from '../../core/demo.ts';
import type { Portal } from '../../core/portal.ts';
import { openTestPortal, closeTestPortals } from '../support/system.ts';
import { COMPILE_ERROR, KannelPhone, NOKIA, deckWords, type WapReply } from '../support/kannel.ts';
import { decodeWbxml, toWmlXml } from '../../transcode/wbxml/decode.ts';

test.after.always(closeTestPortals);

/** wapbox warnings our replies may cause. Koa's 302 carries a short HTML body, which Kannel drops. */
const EXPECTED_WARNINGS = [/WSP: Content type <text\/html> not supported by client, deleting body\./];

interface Origin {
  base: string;
  /** The request headers of every request that reached the gateway. */
  seen: http.IncomingHttpHeaders[];
  close(): Promise<void>;
}

/**
 * The gateway on a free loopback port. `blindToSdu` hides Kannel's X-WAP-Client-SDU-Size from it,
 * as a gateway that ignored the header would be: its decks are then sized for the default budget.
 */
async function startOrigin(portal: Portal, options: { compileWml: boolean; blindToSdu?: boolean }): Promise<Origin> {
  const errors: unknown[] = [];
  const seen: http.IncomingHttpHeaders[] = [];
  const app = createApp(portal, { compileWml: options.compileWml, log: (err) => errors.push(err) }).callback();
  const server = http.createServer((req, res) => {
    seen.push({ ...req.headers });
    if (options.blindToSdu) {
      delete req.headers['x-wap-client-sdu-size'];
      for (let i = req.rawHeaders.length - 2; i >= 0; i -= 2) if (req.rawHeaders[i].toLowerCase() === 'x-wap-client-sdu-size') req.rawHeaders.splice(i, 2);
    }
    void app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => server.close(() => resolve())).then(() => {
        if (errors.length) throw new Error(`the gateway logged errors: ${errors.map(String).join('\n')}`);
      }),
  };
}

async function demoPortal(): Promise<Portal> {
  const portal = await openTestPortal();
  await seedDemo(portal);
  return portal;
}

/** The href of the first link whose text matches, in a decompiled deck. */
function link(reply: WapReply, text: RegExp): string {
  for (const m of reply.deck.matchAll(/<a\s[^>]*?href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)) if (text.test(deckWords(m[2]))) return new URL(m[1].replace(/&amp;/g, '&'), reply.url).toString();
  throw new Error(`no link ${text} on ${reply.url}:\n${reply.deck}`);
}

/** Where the deck's accept action goes, and how. */
function action(reply: WapReply): { url: string; method: string } {
  const go = /<go\s[^>]*>/.exec(reply.deck)?.[0];
  const href = go && /\shref="([^"]*)"/.exec(go)?.[1];
  if (!go || href === undefined) throw new Error(`no <go href> on ${reply.url}:\n${reply.deck}`);
  return { url: new URL(href.replace(/&amp;/g, '&'), reply.url).toString(), method: /\smethod="(\w+)"/.exec(go)?.[1] ?? 'get' };
}

type Path = 'A' | 'B';

/** What every deck must be on the phone: compiled WML within the SDU, which our decoder reads as libwbxml does. */
function checkDeck(t: ExecutionContext, path: Path, reply: WapReply, status: number, words: RegExp[]): void {
  const what = `${reply.method} ${reply.url}`;
  t.is(reply.status, status, `status of ${what}`);
  t.is(reply.contentType, 'application/vnd.wap.wmlc', `content type on the phone of ${what}`);
  t.true(reply.body.length > 0, `${what} reached the phone with a body`);
  t.true(reply.body.length <= NOKIA.sdu, `${what} is ${reply.body.length} bytes of WBXML, over the phone's ${NOKIA.sdu}`);
  // Which path it took, from wapbox's access log: what we answered Kannel.
  if (path === 'A') t.like(reply.origin, { status, contentType: 'text/vnd.wap.wml', charset: 'utf-8' }, `we sent ${what} as WML text`);
  else t.like(reply.origin, { status, contentType: 'application/vnd.wap.wmlc', bytes: reply.body.length }, `we sent ${what} compiled, and Kannel passed it on unchanged`);
  t.deepEqual(reply.warnings.filter((w) => COMPILE_ERROR.test(w)), [], `Kannel compiled ${what} without error`);
  const text = deckWords(reply.deck);
  for (const w of words) t.regex(text, w, `${what} reads ${w}`);
  // Our decoder (transcode/wbxml) reads the phone's bytes as libwbxml's wbxml2xml does.
  t.is(deckWords(toWmlXml(decodeWbxml(reply.body))).replace(/\s+/g, ''), text.replace(/\s+/g, ''), `our decoder reads ${what} as wbxml2xml does`);
}

/** A whole session as the Nokia walks it; returns every reply the phone got, in order. */
async function walk(t: ExecutionContext, path: Path, phone: KannelPhone, base: string): Promise<WapReply[]> {
  const replies: WapReply[] = [];
  const step = async (reply: Promise<WapReply>, status: number, words: RegExp[]) => {
    const r = await reply;
    replies.push(...r.redirects, r);
    checkDeck(t, path, r, status, words);
    return r;
  };

  const login = await step(phone.get(`${base}/`), 200, [/Login:/]);
  const loginAction = action(login);
  t.is(loginAction.method, 'post');
  const password = await step(phone.post(loginAction.url, { login: 'demo' }), 200, [/demo/, /Password:/]);
  const passwordAction = action(password);
  t.is(passwordAction.method, 'post');
  // Kannel does not follow redirects: the phone gets the 302 and GETs its Location itself.
  const home = await step(phone.go({ url: passwordAction.url, method: 'POST', body: 'login=demo&password=demo' }), 200, [/Wine cellar/, /Restaurants \(alice, read\/write\)/]);
  t.is(home.redirects.length, 1, 'one redirect from the password step');
  const redirect = home.redirects[0];
  t.is(redirect.status, 302, 'a WAP 1.x phone is sent a 302');
  t.regex(redirect.headers.location ?? '', /^\/s\/[A-Za-z0-9_-]{22}\/$/, 'the Location reaches the phone as we wrote it (relative)');
  t.is(redirect.body.length, 0);
  t.regex(home.url, /\/s\/[A-Za-z0-9_-]{22}\/$/, 'the phone ends on the home deck of its session');

  const cellar = await step(phone.get(link(home, /^Wine cellar$/)), 200, [/6 records/, /Château Margaux/, /Pétrus/]);
  await step(phone.get(link(cellar, /Margaux/)), 200, [/Vineyard : Château Margaux/, /Year : 1998/]);
  const search = await step(phone.get(link(cellar, /^Search$/)), 200, [/Year/, /Value:/]);
  const year = /<option value="(\d+)">Year<\/option>/.exec(search.deck)?.[1];
  t.truthy(year, 'the search form offers the Year field');
  const find = action(search);
  t.is(find.method, 'get');
  const results = await step(phone.get(`${find.url}?f=${year}&op=lt&q=2000`), 200, [/Year < 2000/, /Pétrus/, /Château Margaux/]);
  t.notRegex(deckWords(results.deck), /Latour|Sassicaia/);
  // Error decks reach the phone too (its Accept lists application/vnd.wap.wmlc).
  await step(phone.get(`${find.url}?f=${year}&op=lt&q=old`), 400, [/Year must be a number/]);
  await step(phone.get(`${home.url}nowhere`), 404, [/no such page/]);
  await step(phone.get(link(results, /^Log out$/)), 200, [/You are logged out/, /Login:/]);
  return replies;
}

async function walkPath(t: ExecutionContext, path: Path): Promise<{ replies: WapReply[]; origin: Origin }> {
  const portal = await demoPortal();
  const origin = await startOrigin(portal, { compileWml: path === 'B' });
  const started = Date.now();
  const phone = await KannelPhone.start(NOKIA);
  try {
    const replies = await walk(t, path, phone, origin.base);
    const { warnings, timing } = await phone.close();
    t.deepEqual(
      warnings.filter((w) => !EXPECTED_WARNINGS.some((re) => re.test(w))),
      [],
      'wapbox logged nothing unexpected (no WML compile error above all)',
    );
    t.log(`path ${path}: ${replies.length} replies in ${((Date.now() - started) / 1000).toFixed(2)} s through Kannel (${timing.replace(/^# /, '')})`);
    t.log(`path ${path} WBXML bytes: ${replies.map((r) => `${r.status} ${new URL(r.url).pathname.replace(/\/s\/[^/]+/, '/s/…')}${new URL(r.url).search} ${r.body.length}`).join('; ')}`);
    return { replies, origin };
  } finally {
    await phone.close();
    await origin.close();
  }
}

test.serial('path A: Kannel compiles our WML text, and a whole session reaches the Nokia', async (t) => {
  const { origin } = await walkPath(t, 'A');
  // What Kannel tells us about the phone, as the gateway sees it (printed once).
  const headers = origin.seen[0];
  t.log('headers Kannel sent the gateway:', JSON.stringify(headers));
  t.is(headers['user-agent'], NOKIA.userAgent);
  t.regex(headers.accept ?? '', /application\/vnd\.wap\.wmlc/);
  t.is(headers['x-wap-client-sdu-size'], String(NOKIA.sdu));
  t.regex(headers.via ?? '', /Kannel/);
  t.truthy(headers['x-wap-gateway']);
  t.truthy(headers['x-wap-session-id']);
  t.falsy(headers.cookie, 'our gateway sets no cookie, so Kannel replays none');
});

test.serial('path B: we compile the WBXML, Kannel passes it through, and a whole session reaches the Nokia', async (t) => {
  await walkPath(t, 'B');
});

/** 30 more bottles, so a record list fills whatever budget it is given. */
async function fullCellar(portal: Portal): Promise<void> {
  const { user } = await portal.login('demo', 'demo');
  const cellar = (await portal.databases(user)).find((d) => d.name === 'Wine cellar')!;
  const fields = Object.fromEntries((await portal.database(user, cellar)).fields.map((f) => [f.name, String(f.id)]));
  for (let i = 0; i < 30; i++) {
    await portal.createRecord(user, cellar, { [fields.Bottle]: `C-${100 + i}`, [fields.Vineyard]: `Domaine numéro ${i} de Bourgogne`, [fields.Year]: String(1990 + i) });
  }
}

async function logIn(phone: KannelPhone, base: string): Promise<string> {
  const home = await phone.go({ url: `${base}/login/password`, method: 'POST', body: 'login=demo&password=demo' });
  if (home.status !== 200) throw new Error(`login through Kannel: ${home.status}\n${home.deck}`);
  return home.url;
}

test.serial('Kannel refuses a deck over the SDU the phone declared (502, empty body); the budget we read from it avoids that', async (t) => {
  const portal = await demoPortal();
  await fullCellar(portal);
  const sees = await startOrigin(portal, { compileWml: true });
  const blind = await startOrigin(portal, { compileWml: true, blindToSdu: true });
  const phone = await KannelPhone.start({ ...NOKIA, sdu: 600 });
  try {
    // The same session on both gateways: they share the portal.
    const home = new URL(await logIn(phone, sees.base)).pathname;
    const [refused, fitted] = await phone.fetch([{ url: `${blind.base}${home}d/c1/1` }, { url: `${sees.base}${home}d/c1/1` }]);

    t.like(refused.origin, { status: 200, contentType: 'application/vnd.wap.wmlc' }, 'we answered 200 with a deck sized for the default budget');
    t.true(refused.origin!.bytes > 600, `the deck is ${refused.origin!.bytes} bytes, more than the 600 declared`);
    t.is(refused.status, 502, 'Kannel refuses it');
    t.is(refused.body.length, 0, 'and the phone gets no body at all');
    t.true(refused.warnings.some((w) => /too large \(size \d+ B, limit 600 B\)/.test(w)), `wapbox says why:\n${refused.warnings.join('\n')}`);

    t.is(sees.seen.at(-1)?.['x-wap-client-sdu-size'], '600', 'Kannel forwards the declared SDU');
    t.is(fitted.status, 200);
    t.true(fitted.body.length > 0 && fitted.body.length <= 600, `the fitted deck is ${fitted.body.length} bytes`);
    t.regex(deckWords(fitted.deck), /36 records/);
    t.regex(deckWords(fitted.deck), /Next>/, 'the rest of the list is a link away');
  } finally {
    await phone.close();
    await sees.close();
    await blind.close();
  }
});

// Path A: Kannel's compiler keeps no string table, so every link repeats the whole /s/<token>/…
// URL (a 36-record list: ours 590 B, Kannel's 965 B). The gateway budgets text decks by a
// table-less compile, and cuts forms into parts, so that what Kannel compiles fits the SDU.
test.serial('path A: every deck the gateway fits to a 600-byte SDU still fits once Kannel compiles it', async (t) => {
  const portal = await demoPortal();
  await fullCellar(portal);
  const origin = await startOrigin(portal, { compileWml: false });
  const phone = await KannelPhone.start({ ...NOKIA, sdu: 600 });
  try {
    const home = await logIn(phone, origin.base);
    const [list, edit] = await phone.fetch([{ url: `${home}d/c1/1` }, { url: `${home}d/c1/1/r/1/edit` }]);
    for (const reply of [list, edit]) {
      t.like(reply.origin, { status: 200, contentType: 'text/vnd.wap.wml' });
      t.is(reply.status, 200, `${reply.url}: ${reply.warnings.join('; ')}`);
      t.true(reply.body.length > 0 && reply.body.length <= 600, `${reply.url} is ${reply.body.length} bytes`);
    }
  } finally {
    await phone.close();
    await origin.close();
  }
});
