// Every operation from every device class, through real HTTP requests to the gateway.
// The handset checks each page it gets: its budget, its charset, and (WML) the WAP Forum DTD.
import test from 'ava';
import { HEADERS, Handset, withGateway } from '../support/client.ts';
import { closeTestPortals } from '../support/system.ts';
import type { Markup } from '../../gateway/device.ts';
import { MAX_TEXT } from '../../core/cell/fields.ts';

test.after.always(closeTestPortals);

const MARKUPS: Markup[] = ['wml', 'chtml', 'html'];

/** A note of about 40 KB, in lines of words (Japanese among them, which i-mode reads in Shift_JIS). */
const NOTE_WORDS = Array.from({ length: 3200 }, (_, i) => i);
const LONG_NOTE = NOTE_WORDS.map((i) => `word${i} 日本語${i % 10 === 9 ? '\n' : ' '}`).join('').trim();

for (const markup of MARKUPS) {
  test(`${markup}: an unknown login is told so and asked again; a wrong password too`, (t) =>
    withGateway(async (gw) => {
      const phone = new Handset(t, gw.base, markup);
      const form = await phone.get('/');
      t.is(form.status, 200);
      const unknown = await phone.post(form.action, { login: 'nobody' });
      t.is(unknown.status, 404);
      t.regex(unknown.words, /not known/);
      t.is(unknown.action, form.action, 'the login form again');
      const password = await phone.post(form.action, { login: 'Demo' });
      t.regex(password.words, /demo/);
      const wrong = await phone.post(password.action, { login: 'demo', password: 'nope' });
      t.is(wrong.status, 403);
      t.regex(wrong.words, /Wrong password/);
    }));

  test(`${markup}: after login a user sees their databases and those shared with them`, (t) =>
    withGateway(async (gw) => {
      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      t.is(home.status, 200);
      t.regex(home.url, /\/s\/[A-Za-z0-9_-]{22}\/$/, 'the session token rides in the URL');
      t.regex(home.words, /Wine cellar/);
      t.regex(home.words, /Restaurants/);
      t.regex(home.words, /alice/);
      t.regex(home.words, /read\/write/);
      const token = home.url.split('/')[4];
      for (const link of home.links) if (link.href.startsWith('/s/')) t.true(link.href.includes(token), `${link.href} keeps the session`);
    }));

  test(`${markup}: browsing a database, a record, and a shared database on another cell`, (t) =>
    withGateway(async (gw) => {
      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      const cellar = await phone.get(home.link(/Wine cellar/));
      t.regex(cellar.words, /Margaux/);
      const record = await phone.get(cellar.link(/Margaux/));
      t.regex(record.words, /Vineyard/);
      t.regex(record.words, /1998/);
      t.regex(record.words, /Bottles < 3|Bottles/);
      const shared = await phone.get(home.link(/Restaurants/));
      t.regex(shared.url, /\/d\/c2\//, 'alice lives on the other cell');
      t.regex(shared.words, /Sukiyabashi/);
    }));

  test(`${markup}: a user creates a database with their own fields, then adds, edits and deletes a record`, (t) =>
    withGateway(async (gw) => {
      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      const newDb = await phone.get(home.link(/new/i));
      const fields = await phone.post(newDb.action, { name: 'Books' });
      t.is(fields.status, 200);
      t.regex(fields.url, /\/fields$/);
      let page = await phone.post(fields.action, { name: 'Title', type: 'text' });
      t.regex(page.words, /Title/);
      page = await phone.post(fields.action, { name: 'Pages', type: 'number' });
      page = await phone.post(fields.action, { name: 'Shelf', type: 'choice', choices: 'top, bottom' });
      page = await phone.post(fields.action, { name: 'Read', type: 'checkbox' });
      page = await phone.post(fields.action, { name: 'Return by', type: 'alarm', watch: '', op: 'ge', event: 'login' });
      t.regex(page.words, /Return by/);

      const db = await phone.get(page.link(/Books|Done|Back/i));
      const form = await phone.get(db.link(/^(\[\d\] )?(Add|New)/i));
      const names = [...form.text.matchAll(/name="(f\d+)"/g)].map((m) => m[1]);
      const [title, pages, shelf, read, due] = [...new Set(names)];
      const created = await phone.post(form.action, { [title]: 'Dune', [pages]: '412', [shelf]: 'top', [read]: '1', [due]: '2027-01-31' });
      t.is(created.status, 200);
      t.regex(created.words, /Dune/);
      t.regex(created.words, /412/);
      t.regex(created.words, /2027-01-31/);

      const bad = await phone.post((await phone.get(created.link(/edit/i))).action, { [title]: 'Dune', [pages]: 'many' });
      t.is(bad.status, 400);
      t.regex(bad.words, /Pages must be a number/);
      const edited = await phone.post(bad.action, { [title]: 'Dune Messiah', [pages]: '256' });
      t.regex(edited.words, /Dune Messiah/);
      t.regex(edited.words, /256/);

      const confirm = await phone.get(edited.link(/delete/i));
      t.regex(confirm.words, /Delete this record/);
      const after = await phone.post(confirm.action, {});
      t.is(after.status, 200);
      t.notRegex(after.words, /Dune/);
    }));

  test(`${markup}: search by field, comparison and operand, with results and a refusal in words`, (t) =>
    withGateway(async (gw) => {
      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      const cellar = await phone.get(home.link(/Wine cellar/));
      const form = await phone.get(cellar.link(/search/i));
      const year = /<option value="(\d+)"[^>]*>Year</.exec(form.text)![1];
      const action = form.action.replace(/&amp;/g, '&');
      const found = await phone.get(`${action}${action.includes('?') ? '&' : '?'}f=${year}&op=lt&q=2001`);
      t.is(found.status, 200);
      t.regex(found.words, /Year < 2001/);
      t.regex(found.words, /Margaux/);
      t.regex(found.words, /Pétrus|P.trus/);
      t.notRegex(found.words, /Sassicaia/);
      const none = await phone.get(`${action}?f=${year}&op=gt&q=3000`);
      t.regex(none.words, /[Nn]othing|[Nn]o record/);
      const bad = await phone.get(`${action}?f=${year}&op=lt&q=old`);
      t.is(bad.status, 400);
      t.regex(bad.words, /Year must be a number/);
    }));

  test(`${markup}: what another user did not share is refused in the device's markup`, (t) =>
    withGateway(async (gw) => {
      const bob = await gw.portal.register('bob', 'bobpass', 'Bob');
      const secret = await gw.portal.createDatabase(bob, 'Secret');
      const f = (await gw.portal.addField(bob, secret, { name: 'Note', type: 'text' })).id;
      const rec = await gw.portal.createRecord(bob, secret, { [f]: 'hidden' });
      const readOnly = await gw.portal.createDatabase(bob, 'Readable');
      const g = (await gw.portal.addField(bob, readOnly, { name: 'Note', type: 'text' })).id;
      const rrec = await gw.portal.createRecord(bob, readOnly, { [g]: 'visible' });
      await gw.portal.share(bob, readOnly, 'demo', 'read');

      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      const base = home.url.replace(/\/$/, '');
      const denied = await phone.get(`${base}/d/${secret.cellId}/${secret.dbId}/r/${rec}`);
      t.is(denied.status, 403);
      t.regex(denied.words, /not shared with you/);
      t.notRegex(denied.words, /hidden/);
      const readable = await phone.get(`${base}/d/${readOnly.cellId}/${readOnly.dbId}/r/${rrec}`);
      t.regex(readable.words, /visible/);
      t.false(readable.links.some((l) => /edit|delete/i.test(l.text)), 'no edit links on a read-only share');
      const write = await phone.post(`${base}/d/${readOnly.cellId}/${readOnly.dbId}/r/${rrec}/edit`, { [`f${g}`]: 'changed' });
      t.is(write.status, 403);
      const erase = await phone.post(`${base}/d/${readOnly.cellId}/${readOnly.dbId}/r/${rrec}/delete`, {});
      t.is(erase.status, 403);
      t.is((await gw.portal.record(bob, readOnly, rrec)).record.values[g], 'visible', 'nothing changed');
    }));

  test(`${markup}: hostile values never break a page or inject markup`, (t) =>
    withGateway(async (gw) => {
      const hostile = `</p><script>alert(1)</script>$(x) $$ ]]>&amp; "'<>\u0001`;
      const demo = { login: 'demo', cellId: await gw.portal.locate('demo') };
      const ref = await gw.portal.createDatabase(demo, 'Evil <b>$(db)</b>');
      const f = (await gw.portal.addField(demo, ref, { name: 'Name "$x" <i>', type: 'text' })).id;
      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      t.notRegex(home.text, /<b>/);
      const db = await phone.get(home.link(/Evil/));
      const form = await phone.get(db.link(/^(\[\d\] )?(Add|New)/i));
      const refused = await phone.post(form.action, { [`f${f}`]: hostile });
      t.is(refused.status, 400, 'a control character is refused');
      const saved = await phone.post(form.action, { [`f${f}`]: hostile.replace('\u0001', '') });
      t.is(saved.status, 200);
      t.notRegex(saved.text, /<script>/);
      t.regex(saved.words, /alert\(1\)/, 'the text is shown, as text');
      if (markup === 'wml') t.regex(saved.text, /\$\$\(x\)/, 'WML variables in user data are escaped');
      const login = await phone.post('/login', { login: '<script>x</script>' });
      t.notRegex(login.text, /<script>/);
    }));

  test(`${markup}: long lists and long values continue on "more" pages within the budget`, (t) =>
    withGateway(async (gw) => {
      const demo = { login: 'demo', cellId: await gw.portal.locate('demo') };
      const ref = await gw.portal.createDatabase(demo, 'Many');
      const f = (await gw.portal.addField(demo, ref, { name: 'Text', type: 'text' })).id;
      const count = 45;
      for (let i = 1; i <= count; i++) await gw.portal.createRecord(demo, ref, { [f]: `Item ${String(i).padStart(2, '0')} ${'日本語テキスト'.repeat(3)}` });
      const long = await gw.portal.createRecord(demo, ref, { [f]: Array.from({ length: 600 }, (_, i) => `word${i}`).join(' ') });

      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      let page = await phone.get(home.link(/Many/));
      const seen: string[] = [];
      for (let pages = 0; pages < 30; pages++) {
        seen.push(...[...page.words.matchAll(/Item (\d\d)/g)].map((m) => m[1]));
        const next = page.links.find((l) => /more|next|>/i.test(l.text) && l.href.includes('from='));
        if (!next) break;
        page = await phone.get(next.href);
      }
      t.deepEqual(seen, Array.from({ length: count }, (_, i) => String(i + 1).padStart(2, '0')), 'every record once, in order');

      let part = await phone.get(`${home.url.replace(/\/$/, '')}/d/${ref.cellId}/${ref.dbId}/r/${long}`);
      let words = '';
      for (let pages = 0; pages < 40; pages++) {
        words += part.words;
        const next = part.links.find((l) => /more|next|>/i.test(l.text) && l.href.includes('from='));
        if (!next) break;
        part = await phone.get(next.href);
      }
      t.regex(words, /word0 /);
      t.regex(words, /word599/, 'the whole value is reachable');
    }));

  test(`${markup}: a record with a 40 KB note is read in pages that fit; its form shows the note instead of an input, and saving keeps it whole`, (t) =>
    withGateway(async (gw) => {
      const demo = { login: 'demo', cellId: await gw.portal.locate('demo') };
      const ref = await gw.portal.createDatabase(demo, 'Notes');
      const name = (await gw.portal.addField(demo, ref, { name: 'Name', type: 'text' })).id;
      const note = (await gw.portal.addField(demo, ref, { name: 'Note', type: 'text' })).id;
      const id = await gw.portal.createRecord(demo, ref, { [name]: 'Bigge Note', [note]: LONG_NOTE });

      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      const record = `${home.url.replace(/\/$/, '')}/d/${ref.cellId}/${ref.dbId}/r/${id}`;
      const first = await phone.get(record);
      let page = first;
      let words = '';
      for (let pages = 1; pages <= 400; pages++) {
        words += page.words;
        const next = page.links.find((l) => /next|more/i.test(l.text) && l.href.includes('from='));
        if (!next) break;
        page = await phone.get(next.href);
      }
      t.deepEqual([...words.matchAll(/word(\d+)/g)].map((m) => Number(m[1])), NOTE_WORDS, 'every word of the note, once and in order, on pages within the budget');

      const form = await phone.get(first.link(/edit/i));
      t.regex(form.words, /too long to edit/);
      t.notRegex(form.text, new RegExp(`name="f${note}"`), 'no input for the note');
      t.regex(form.text, new RegExp(`name="f${name}"`), 'the other fields are editable');
      t.true(form.links.some((l) => l.href === new URL(record).pathname), 'a link to read the whole note');
      const saved = await phone.post(form.action, { [`f${name}`]: 'Bigge Notes' });
      t.is(saved.status, 200);
      const stored = (await gw.portal.record(demo, ref, id)).record.values;
      t.is(stored[name], 'Bigge Notes');
      t.is(stored[note], LONG_NOTE, 'the note kept whole');

      const over = await phone.post(form.action, { [`f${name}`]: 'Over', [`f${note}`]: 'x'.repeat(MAX_TEXT + 1) });
      t.is(over.status, 413);
      t.regex(over.words, /Note is too long \(at most 100,000 characters\)/);
      t.deepEqual((await gw.portal.record(demo, ref, id)).record.values, stored, 'nothing changed');
    }));

  if (markup === 'wml') {
    test('wml: a note of several lines is shown in the form, not put in a one-line input that would join its lines; saving the other fields keeps it', (t) =>
      withGateway(async (gw) => {
        const demo = { login: 'demo', cellId: await gw.portal.locate('demo') };
        const ref = await gw.portal.createDatabase(demo, 'Notes');
        const title = (await gw.portal.addField(demo, ref, { name: 'Title', type: 'text' })).id;
        const note = (await gw.portal.addField(demo, ref, { name: 'Note', type: 'text' })).id;
        const id = await gw.portal.createRecord(demo, ref, { [title]: 'Plan', [note]: 'first line\nsecond line' });
        const phone = new Handset(t, gw.base, markup);
        const home = await phone.login();
        const form = await phone.get(`${home.url.replace(/\/$/, '')}/d/${ref.cellId}/${ref.dbId}/r/${id}/edit`);
        t.false(form.text.includes(`name="f${note}"`), 'no input or variable for the note');
        t.regex(form.words, /several lines/);
        await phone.post(form.action, { [`f${title}`]: 'Plan B' });
        t.deepEqual((await gw.portal.record(demo, ref, id)).record.values, { [title]: 'Plan B', [note]: 'first line\nsecond line' });
      }));
  } else {
    test(`${markup}: a note of several lines is edited in a box, and saved with its line breaks`, (t) =>
      withGateway(async (gw) => {
        const demo = { login: 'demo', cellId: await gw.portal.locate('demo') };
        const ref = await gw.portal.createDatabase(demo, 'Notes');
        const note = (await gw.portal.addField(demo, ref, { name: 'Note', type: 'text' })).id;
        const id = await gw.portal.createRecord(demo, ref, { [note]: 'first line\nsecond line 日本語' });
        const phone = new Handset(t, gw.base, markup);
        const home = await phone.login();
        const form = await phone.get(`${home.url.replace(/\/$/, '')}/d/${ref.cellId}/${ref.dbId}/r/${id}/edit`);
        const box = new RegExp(`<textarea name="f${note}"[^>]*>([^<]*)</textarea>`).exec(form.text);
        t.truthy(box, 'a box, not a one-line input that would drop the line breaks');
        await phone.post(form.action, { [`f${note}`]: box![1].replace(/\r?\n/g, '\r\n') + ' edited' });
        t.is((await gw.portal.record(demo, ref, id)).record.values[note], 'first line\nsecond line 日本語 edited');
      }));
  }

  test(`${markup}: an ended or unknown session and an unknown page get a clear page with a way back`, (t) =>
    withGateway(async (gw) => {
      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      const gone = await phone.get('/s/AAAAAAAAAAAAAAAAAAAAAA/');
      t.is(gone.status, 403);
      t.regex(gone.words, /session has ended/);
      t.true(gone.links.some((l) => l.href === '/'), 'a link back to the login');
      const missing = await phone.get(`${home.url}nowhere/at/all`);
      t.is(missing.status, 404);
      t.regex(missing.words, /no such page/);
      const badId = await phone.get(`${home.url}d/c1/abc`);
      t.is(badId.status, 404);
      const out = await phone.get(home.link(/log ?out/i));
      t.regex(out.words, /logged out/);
      const after = await phone.get(home.url);
      t.is(after.status, 403, 'logout ends the session');
    }));
}

test('an i-mode handset posts Shift_JIS, half-width katakana included, and it is stored as the right text', (t) =>
  withGateway(async (gw) => {
    const phone = new Handset(t, gw.base, 'chtml');
    const home = await phone.login();
    const db = await phone.get(home.link(/Restaurants/));
    const form = await phone.get(db.link(/^(\[\d\] )?(Add|New)/i));
    const [name, city] = [...new Set([...form.text.matchAll(/name="(f\d+)"/g)].map((m) => m[1]))];
    const saved = await phone.post(form.action, { [name]: 'すきやばし次郎 ｽｼ', [city]: '東京' });
    t.regex(saved.words, /すきやばし次郎 ｽｼ/);
    const demo = { login: 'demo', cellId: 'c1' };
    const ref = { cellId: 'c2', dbId: Number(form.action.split('/')[5]) };
    const { items } = await gw.portal.search(demo, ref, { fieldId: Number(city.slice(1)), op: 'eq', operand: '東京' }, 0, 5);
    t.is(items.length, 1);
    t.is(items[0].values[name.slice(1)], 'すきやばし次郎 ｽｼ');
  }));

test('characters Shift_JIS cannot hold reach an i-mode handset as 〓, not dropped', (t) =>
  withGateway(async (gw) => {
    const demo = { login: 'demo', cellId: await gw.portal.locate('demo') };
    await gw.portal.createDatabase(demo, 'Café 한국 🍷');
    const phone = new Handset(t, gw.base, 'chtml');
    const home = await phone.login();
    t.regex(home.words, /Caf. 〓〓 〓/);
  }));

test('the same URL answers in each markup and says it varies', (t) =>
  withGateway(async (gw) => {
    const phone = new Handset(t, gw.base, 'html');
    const page = await phone.get('/');
    t.regex(page.headers.get('vary') ?? '', /Accept/);
    t.regex(page.headers.get('vary') ?? '', /User-Agent/);
    const forced = await new Handset(t, gw.base, 'wml').get('/?device=wml');
    t.regex(forced.text, /<wml>/);
  }));

test('a WAP phone that asks for WML text gets text, still measured in compiled bytes', (t) =>
  withGateway(async (gw) => {
    const phone = new Handset(t, gw.base, 'wml', { ...HEADERS.wml, accept: 'text/vnd.wap.wml, image/vnd.wap.wbmp' });
    const home = await phone.login();
    t.is(home.headers.get('content-type'), 'text/vnd.wap.wml; charset=utf-8');
    t.regex(home.words, /Wine cellar/);
  }));

test('a phone that declares a small SDU gets smaller decks, and every record stays reachable', (t) =>
  withGateway(async (gw) => {
    const phone = new Handset(t, gw.base, 'wml', { ...HEADERS.wml, 'x-wap-client-sdu-size': '600' });
    const home = await phone.login();
    let page = await phone.get(home.link(/Wine cellar/));
    const seen: string[] = [];
    for (let pages = 0; pages < 10; pages++) {
      seen.push(...[...page.words.matchAll(/B-00(\d)/g)].map((m) => m[1]));
      const next = page.links.find((l) => /next/i.test(l.text));
      if (!next) break;
      page = await phone.get(next.href);
    }
    t.deepEqual(seen, ['1', '2', '3', '4', '5', '6']);
    t.true(page.bytes.length <= 600);
  }));

test('i-mode pages keep to the cHTML tag set and show DoCoMo emoji for alarms', (t) =>
  withGateway(async (gw) => {
    const phone = new Handset(t, gw.base, 'chtml');
    const home = await phone.login();
    const cellar = await phone.get(home.link(/Wine cellar/));
    const record = await phone.get(cellar.link(/Margaux/));
    t.true(record.bytes.includes(Buffer.from([0xf9, 0xb8])), 'the bell pictogram F9B8 beside the alarm fields');
    for (const page of [home, cellar, record, await phone.get(record.link(/edit/i))]) {
      t.notRegex(page.text, /<(table|style|script|frame|iframe|img|link)\b|\sstyle=/i, `${page.url} uses only cHTML`);
    }
    const html = await new Handset(t, gw.base, 'html').login();
    const wine = await new Handset(t, gw.base, 'html').get(html.link(/Wine cellar/));
    t.notRegex(wine.text, /[\uE63E-\uE757]/, 'no private-use pictograms outside i-mode');
  }));

test('a form too large for the phone comes in parts, and every part is saved', (t) =>
  withGateway(async (gw) => {
    const phone = new Handset(t, gw.base, 'wml', { ...HEADERS.wml, 'x-wap-client-sdu-size': '512' });
    const home = await phone.login();
    const cellar = await phone.get(home.link(/Wine cellar/));
    let form = await phone.get(cellar.link(/^Add/));
    const seen = new Set<string>();
    let page = form;
    for (let parts = 1; parts <= 8; parts++) {
      const names = [...new Set([...form.text.matchAll(/name="(f\d+)"/g)].map((m) => m[1]))];
      t.true(names.length > 0);
      for (const n of names) seen.add(n);
      page = await phone.post(form.action, Object.fromEntries(names.map((n) => [n, n === 'f3' || n === 'f5' || n === 'f7' ? '7' : n === 'f6' ? '2030-01-01' : n === 'f4' ? 'good' : `value ${n}`])));
      if (!/\/edit\?from=/.test(page.url)) break;
      t.true(parts < 8, 'the parts end');
      form = page;
    }
    t.true(seen.size >= 7, `all seven fields were asked for (${[...seen]})`);
    t.regex(page.url, /\/r\/\d+$/, 'the last part ends on the record');
    const id = Number(page.url.split('/').pop());
    const { record } = await gw.portal.record({ login: 'demo', cellId: 'c1' }, { cellId: 'c1', dbId: 1 }, id);
    t.is(Object.keys(record.values).length, 7, 'every part was stored');
  }));
