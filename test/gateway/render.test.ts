// Every view on every markup: valid WML decks, text that stays text, Shift_JIS for i-mode, and pages
// within each device's budget.
import test from 'ava';
import iconv from 'iconv-lite';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { render } from '../../gateway/render.ts';
import { detectDevice, type Markup } from '../../gateway/device.ts';
import { wmlErrors } from '../support/wml.ts';
import { CSRF, HOSTILE, models } from '../support/views.ts';

const MARKUPS: Markup[] = ['wml', 'chtml', 'html'];
const TEMPLATES = join(import.meta.dirname, '..', '..', 'templates');
const README = readFileSync(join(TEMPLATES, 'README.md'), 'utf8');
const VIEWS = [...README.slice(README.indexOf('## The views')).matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);

const CONTENT_TYPES: Record<Markup, string> = {
  wml: 'text/vnd.wap.wml; charset=utf-8',
  chtml: 'text/html; charset=Shift_JIS',
  html: 'text/html; charset=utf-8',
};

const REALISTIC = models((s) => s);
const HOSTILE_MODELS = models((s) => s + HOSTILE);
// A value past any budget: the handlers cut such values before rendering, the renderer must still cope.
const LONG = 'ｶﾀｶﾅ $(x) & <blink> 日本語 word '.repeat(200).slice(0, 5000);
const LONG_MODELS = models((s) => s + LONG);

/** The same models with every list empty: a database without fields or records, a user without databases. */
const emptyLists = (value: unknown): unknown =>
  Array.isArray(value) ? [] : value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, emptyLists(v)])) : value;
const EMPTY_MODELS = emptyLists(REALISTIC) as typeof REALISTIC;

const text = (markup: Markup, body: Buffer) => iconv.decode(body, markup === 'chtml' ? 'shift_jis' : 'utf-8');

test('templates/README.md names the views, and each markup has a template for each', (t) => {
  t.deepEqual(VIEWS, ['login', 'password', 'home', 'database', 'record', 'record_form', 'db_form', 'field_form', 'confirm', 'search', 'results', 'share', 'locker', 'unlock', 'sync_home', 'sync_portal_form', 'sync_portal', 'error', 'alarms', 'alarm_list', 'contact_form', 'alarm_form', 'planner_day', 'planner_week', 'event', 'event_form', 'mail_home', 'mail_list', 'mail_message', 'mail_compose', 'mail_account']);
  t.deepEqual(Object.keys(REALISTIC), VIEWS);
  for (const markup of MARKUPS) {
    const files = readdirSync(join(TEMPLATES, markup)).filter((f) => !f.startsWith('_'));
    t.deepEqual(files.sort(), VIEWS.map((v) => `${v}.njk`).sort(), markup);
  }
});

/** Every run of `$` outside the template's own `value="$(var)"` references has even length. */
function dollarsDoubled(deck: string): boolean {
  const runs = deck.replace(/value="\$\(\w+\)"/g, '').match(/\$+/g) ?? [];
  return runs.every((run) => run.length % 2 === 0);
}

for (const markup of MARKUPS) {
  const device = detectDevice({ override: markup });

  for (const view of VIEWS) {
    // The budget counts the bytes on the air: a WML deck compiled to WBXML, any other page as sent.
    test(`${markup}: ${view} is valid and within the ${device.budget}-byte budget`, (t) => {
      const { body, contentType, airBytes } = render(device, view, REALISTIC[view]);
      t.is(contentType, CONTENT_TYPES[markup]);
      t.true(airBytes <= device.budget, `${airBytes} bytes`);
      if (markup === 'wml') t.is(wmlErrors(body), null);
      const page = text(markup, body);
      t.notRegex(page, /\n\s*\n/, 'no blank lines');
      if (markup !== 'wml') t.false(page.includes('<script'), 'no script');
    });

    test(`${markup}: ${view} shows hostile text as text`, (t) => {
      const { body } = render(device, view, HOSTILE_MODELS[view]);
      const page = text(markup, body);
      if (markup === 'wml') {
        t.is(wmlErrors(body), null);
        t.true(dollarsDoubled(page), 'every $ of user data doubled');
        t.true(page.includes('$$(x) $$$$'));
      }
      t.false(page.includes('<script>'));
      t.true(page.includes('&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;'));
      t.true(page.includes('&amp;amp;'), 'an entity typed by a user stays text');
      t.false(page.includes('\u0001'), 'control characters are dropped');
      t.true(page.includes('日本語'), 'Japanese text arrives');
    });

    test(`${markup}: ${view} with empty lists is still a valid page`, (t) => {
      const { body, airBytes } = render(device, view, EMPTY_MODELS[view]);
      if (markup === 'wml') t.is(wmlErrors(body), null);
      t.true(airBytes <= device.budget, `${airBytes} bytes`);
    });

    test(`${markup}: ${view} copes with a 5,000-character value`, (t) => {
      const { body } = render(device, view, LONG_MODELS[view]);
      const page = text(markup, body);
      if (markup === 'wml') t.is(wmlErrors(body), null);
      t.false(page.includes('<blink>'));
      t.true(page.includes('&lt;blink&gt;'));
      t.true(page.includes('ｶﾀｶﾅ'));
    });
  }
}

test('an i-mode page is Shift_JIS bytes, and what Shift_JIS lacks shows as 〓', (t) => {
  const model = { ...REALISTIC.home, dbs: [{ name: 'すきやばし ｽｼ Café 한국 🍷', url: '/s/x/d/c2/1', owner: 'alice', right: 'read', shared: true }] };
  const { body } = render(detectDevice({ override: 'chtml' }), 'home', model);
  t.true(body.includes(iconv.encode('すきやばし ｽｼ', 'shift_jis')));
  t.true(iconv.decode(body, 'shift_jis').includes('Caf〓 〓〓 〓'));
  t.regex(iconv.decode(body, 'shift_jis'), /<meta http-equiv="Content-Type" content="text\/html; charset=Shift_JIS">/);
});

test('a cHTML page for a handset that takes UTF-8 says UTF-8', (t) => {
  const { body, contentType } = render({ markup: 'chtml', budget: 5120, budgetFrom: 'class', charset: 'utf-8', wbxml: false }, 'login', REALISTIC.login);
  t.is(contentType, 'text/html; charset=utf-8');
  t.regex(body.toString('utf8'), /charset=utf-8/);
});

for (const markup of MARKUPS) {
  test(`${markup}: a search that matched nothing says so`, (t) => {
    const { body } = render(detectDevice({ override: markup }), 'results', { ...REALISTIC.results, records: [], none: true, next: undefined });
    t.regex(text(markup, body), /Nothing found/);
    t.notRegex(text(markup, render(detectDevice({ override: markup }), 'results', REALISTIC.results).body), /Nothing found/);
  });
}

/** The names a page's form sends: postfields in WML, controls in HTML and cHTML. */
function sentNames(markup: Markup, page: string): string[] {
  const re = markup === 'wml' ? /<postfield name="([^"]+)"/g : /<(?:input|select|textarea)[^>]* name="([^"]+)"/g;
  return [...new Set([...page.matchAll(re)].map((m) => m[1]))];
}

const FORM_NAMES: Record<string, string[]> = {
  login: ['login'],
  password: ['login', 'password'],
  record_form: ['f1', 'f2', 'f3', 'f4', 'f5', 'f6'],
  db_form: ['name'],
  field_form: ['name', 'type', 'choices', 'watch', 'op', 'event'],
  confirm: [],
  search: ['f', 'op', 'q'],
  share: ['login', 'right'],
  locker: ['current', 'password'],
  unlock: ['password'],
  contact_form: ['email', 'phone'],
  alarm_form: ['watch', 'op', 'event'],
  event_form: ['title', 'type', 'date', 'time', 'duration', 'remind', 'before'],
  mail_home: [],
  mail_compose: ['account', 'to', 'cc', 'subject', 'body'],
  mail_account: ['name', 'address', 'protocol', 'incoming', 'tls', 'login', 'password', 'outgoing', 'outTls', 'outLogin', 'outPassword'],
};

/** What WML forms leave out, for a deck's sake: the alarm's comparison and event, a message's Cc. */
const WML_LEAVES_OUT: Record<string, string[]> = { field_form: ['op', 'event'], mail_compose: ['cc'] };

for (const markup of MARKUPS) {
  test(`${markup}: forms send the names the route handlers read`, (t) => {
    const device = detectDevice({ override: markup });
    for (const [view, names] of Object.entries(FORM_NAMES)) {
      const page = text(markup, render(device, view, REALISTIC[view]).body);
      // WML leaves the alarm's comparison and event to the core's defaults: six lists do not fit a deck.
      const fields = markup === 'wml' ? names.filter((n) => !WML_LEAVES_OUT[view]?.includes(n)) : names;
      // An HTML POST form of a session sends the anti-forgery secret first.
      const expected = markup === 'html' && REALISTIC[view].csrf && view !== 'search' ? ['_csrf', ...fields] : fields;
      t.deepEqual(sentNames(markup, page), expected, view);
    }
  });
}

test('wml: each form reads its own variables, which its inputs set and no other form uses', (t) => {
  const device = detectDevice({ override: 'wml' });
  const owner = new Map<string, string>();
  for (const view of Object.keys(FORM_NAMES)) {
    const deck = text('wml', render(device, view, REALISTIC[view]).body);
    const read = [...deck.matchAll(/value="\$\((\w+)\)"/g)].map((m) => m[1]);
    const inputs = [...deck.matchAll(/<(?:input|select) name="(\w+)"/g)].map((m) => m[1]);
    t.deepEqual(read.toSorted(), inputs.toSorted(), view);
    for (const name of inputs) {
      t.is(owner.get(name) ?? view, view, `${name} is used by ${owner.get(name)} and ${view}`);
      owner.set(name, view);
    }
  }
});

test('wml: a form sets its variables on entry, so an earlier record or password never comes back', (t) => {
  const device = detectDevice({ override: 'wml' });
  const form = text('wml', render(device, 'record_form', REALISTIC.record_form).body);
  t.regex(form, /<onevent type="onenterforward"><refresh><setvar name="f1" value="Margaux"\/><setvar name="f2" value="1998"\/><setvar name="f3" value="excellent"\/><setvar name="f4" value="1"\/>/);
  const password = text('wml', render(device, 'password', REALISTIC.password).body);
  t.regex(password, /<setvar name="pw_password" value=""\/>/);
});

test('wml: the locker and unlock forms empty their password variables on entry; the share form sets its own', (t) => {
  const device = detectDevice({ override: 'wml' });
  const deck = (view: string, model: object) => text('wml', render(device, view, model).body);
  t.regex(deck('locker', REALISTIC.locker), /<refresh><setvar name="lk_current" value=""\/><setvar name="lk_password" value=""\/><\/refresh>/);
  t.regex(deck('locker', { ...REALISTIC.locker, hasLocker: false }), /<refresh><setvar name="lk_password" value=""\/><\/refresh>/);
  t.regex(deck('unlock', REALISTIC.unlock), /<refresh><setvar name="ul_password" value=""\/><\/refresh>/);
  for (const view of ['locker', 'unlock']) {
    const inputs = [...deck(view, REALISTIC[view]).matchAll(/<input [^>]*>/g)].map((m) => m[0]);
    t.true(inputs.length > 0 && inputs.every((i) => i.includes('type="password"')), view);
  }
  // The right is set to the model's choice: another database's last choice must not grant write.
  t.regex(deck('share', { ...REALISTIC.share, login: 'dave' }), /<setvar name="sh_login" value="dave"\/><setvar name="sh_right" value="read"\/>/);
  const write = { ...REALISTIC.share, rights: (REALISTIC.share.rights as { value: string }[]).map((r) => ({ ...r, selected: r.value === 'write' })) };
  t.regex(deck('share', write), /<setvar name="sh_right" value="write"\/>/);
});

/** Every `<form …>` start tag of a page, with what follows it up to the end of the form. */
const forms = (page: string) => [...page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map((m) => ({ attrs: m[1], content: m[2] }));

test('html: every POST form of a session sends the anti-forgery secret, a GET form never does', (t) => {
  const device = detectDevice({ override: 'html' });
  const token = `<input type="hidden" name="_csrf" value="${CSRF}">`;
  let posts = 0;
  for (const view of VIEWS) {
    const model = { ...REALISTIC[view], csrf: CSRF };
    for (const form of forms(text('html', render(device, view, model).body))) {
      if (/method="post"/.test(form.attrs)) {
        posts++;
        t.true(form.content.startsWith(token), `${view}: ${form.content.slice(0, 80)}`);
        t.is(form.content.split('name="_csrf"').length, 2, `${view}: one secret`);
      } else {
        t.false(form.content.includes('_csrf'), `${view}: the secret stays out of a GET query`);
      }
    }
  }
  t.is(posts, 21, 'login, password, record_form, db_form, field_form, confirm, share, locker, unlock, sync_home (policy, MD5), sync_portal_form, sync_portal, contact_form, alarm_form, event_form, mail_home (a Check per account, two), mail_message (Send again), mail_compose and mail_account post');
  // The locker's first form creates the password: it posts the secret too.
  t.true(text('html', render(device, 'locker', { ...REALISTIC.locker, hasLocker: false }).body).includes(token));
});

test('html: without a session (no csrf) no form carries _csrf; the secret is escaped like any value', (t) => {
  const device = detectDevice({ override: 'html' });
  for (const view of VIEWS) {
    const { csrf: _, ...model } = REALISTIC[view];
    t.false(text('html', render(device, view, model).body).includes('_csrf'), view);
  }
  const page = text('html', render(device, 'confirm', { ...REALISTIC.confirm, csrf: 'a"b<c' }).body);
  t.true(page.includes('name="_csrf" value="a&quot;b&lt;c"'));
});

for (const markup of ['wml', 'chtml'] as const) {
  test(`${markup}: no page carries _csrf (the token in the URL does its work)`, (t) => {
    const device = detectDevice({ override: markup });
    for (const view of VIEWS) {
      const model = { ...REALISTIC[view], csrf: CSRF };
      const page = text(markup, render(device, view, model).body);
      t.false(page.includes('_csrf'), view);
      t.false(page.includes(CSRF), view);
    }
  });
}

test('a database in the locker is marked: " [locked]" in WML and HTML, the key pictogram F97D on i-mode', (t) => {
  for (const markup of ['wml', 'html'] as const) {
    const device = detectDevice({ override: markup });
    const home = text(markup, render(device, 'home', REALISTIC.home).body);
    t.is(home.split('[locked]').length, 2, `${markup}: Books only`);
    t.true(home.includes('>Books</a> [locked]'), markup);
    const locker = text(markup, render(device, 'locker', REALISTIC.locker).body);
    t.is(locker.split('[locked]').length, 3, `${markup}: Books and Diary`);
    t.true(locker.includes('>Books</a> [locked]'), markup);
    t.false(locker.includes('>Wine cellar</a> [locked]'), markup);
    t.notRegex(home + locker, /[\uE63E-\uE757]/, `${markup}: no private-use pictograms outside i-mode`);
  }
  const device = detectDevice({ override: 'chtml' });
  const key = Buffer.from([0xf9, 0x7d]);
  const marks = (body: Buffer) => body.toString('latin1').split(key.toString('latin1')).length - 1;
  const home = render(device, 'home', REALISTIC.home).body;
  t.true(home.includes(Buffer.concat([Buffer.from('[2] Books</a>'), key, Buffer.from('<br>')])), 'the key right after the name, nothing else');
  t.is(marks(home), 1);
  t.false(home.includes('[locked]'));
  const locker = render(device, 'locker', REALISTIC.locker).body;
  t.is(marks(locker), 2);
  t.true(locker.includes(Buffer.concat([Buffer.from('Diary</a>'), key, Buffer.from(' <a ')])));
  t.is(marks(render(device, 'home', { ...REALISTIC.home, dbs: (REALISTIC.home.dbs as object[]).map((d) => ({ ...d, locked: false })) }).body), 0);
});

for (const markup of MARKUPS) {
  test(`${markup}: the share form posts login and right; the list, or "Not shared yet."`, (t) => {
    const device = detectDevice({ override: markup });
    const model = { ...REALISTIC.share, login: 'dave' };
    const page = text(markup, render(device, 'share', model).body);
    if (markup === 'wml') {
      t.regex(page, /<go href="[^"]+\/share" method="post"><postfield name="login" value="\$\(sh_login\)"\/><postfield name="right" value="\$\(sh_right\)"\/><\/go>/);
      t.regex(page, /<select name="sh_right"><option value="read">Read<\/option><option value="write">Read\/write<\/option><\/select>/);
    } else {
      const [form] = forms(page);
      t.regex(form.attrs, /action="[^"]+\/share" method="post"/);
      t.regex(form.content, /<input name="login" value="dave"/);
      t.regex(form.content, /<select name="right"><option value="read" selected>Read<\/option><option value="write">Read\/write<\/option><\/select>/);
      t.regex(form.content, /<input type="submit" value="Share">/);
    }
    t.regex(page, /alice \(read\/write\) <a href="[^"]+\/share\/revoke\?login=alice"(?: accesskey="1">\[1\] |>)Stop sharing<\/a>/);
    t.false(page.includes('Not shared yet.'));
    t.true(text(markup, render(device, 'share', { ...model, shares: [] }).body).includes('Not shared yet.'));
  });

  test(`${markup}: the locker creates its password, or asks for the current one to change it`, (t) => {
    const device = detectDevice({ override: markup });
    const change = text(markup, render(device, 'locker', REALISTIC.locker).body);
    const create = text(markup, render(device, 'locker', { ...REALISTIC.locker, hasLocker: false }).body);
    t.deepEqual(sentNames(markup, create).filter((n) => n !== '_csrf'), ['password']);
    t.deepEqual(sentNames(markup, change).filter((n) => n !== '_csrf'), ['current', 'password']);
    if (markup !== 'wml') {
      for (const page of [change, create]) {
        const inputs = [...page.matchAll(/<input [^>]*name="(current|password)"[^>]*>/g)].map((m) => m[0]);
        t.true(inputs.every((i) => i.includes('type="password"')));
      }
    }
    t.regex(change, /<a href="[^"]+\/d\/c1\/4\/lock">Take out<\/a>/);
    t.regex(change, /<a href="[^"]+\/d\/c1\/3\/lock">Put in locker<\/a>/);
  });

  test(`${markup}: the unlock page names the database; the database page links Share and the locker toggle; home links Locker`, (t) => {
    const device = detectDevice({ override: markup });
    const unlock = text(markup, render(device, 'unlock', REALISTIC.unlock).body);
    t.true(unlock.includes('Diary is in your locker.'));
    t.deepEqual(sentNames(markup, unlock).filter((n) => n !== '_csrf'), ['password']);
    const database = text(markup, render(device, 'database', REALISTIC.database).body);
    t.regex(database, /<a href="[^"]+\/d\/c1\/3\/share">Share<\/a>/);
    t.regex(database, /<a href="[^"]+\/d\/c1\/3\/lock">Put in locker<\/a>/);
    const { share: _s, lock: _l, ...reader } = REALISTIC.database;
    t.notRegex(text(markup, render(device, 'database', reader).body), /Share|Put in locker/);
    t.regex(text(markup, render(device, 'home', REALISTIC.home).body), /<a href="[^"]+\/locker">Locker<\/a>/);
  });
}
