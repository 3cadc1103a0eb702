// Every view on every markup: valid WML decks, text that stays text, Shift_JIS for i-mode, and pages
// within each device's budget.
import test from 'ava';
import iconv from 'iconv-lite';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { render } from '../../gateway/render.ts';
import { detectDevice, type Markup } from '../../gateway/device.ts';
import { wmlErrors } from '../support/wml.ts';

const MARKUPS: Markup[] = ['wml', 'chtml', 'html'];
const TEMPLATES = join(import.meta.dirname, '..', '..', 'templates');
const README = readFileSync(join(TEMPLATES, 'README.md'), 'utf8');
const VIEWS = [...README.slice(README.indexOf('## The views')).matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);

const CONTENT_TYPES: Record<Markup, string> = {
  wml: 'text/vnd.wap.wml; charset=utf-8',
  chtml: 'text/html; charset=Shift_JIS',
  html: 'text/html; charset=utf-8',
};

const HOSTILE = `</p><script>alert(1)</script>$(x) $$ &amp; "'<> \u0001 ]]> 日本語`;

/**
 * A model for every view, as the route handlers build them; `text` turns each piece of user data
 * (names, labels, values, messages) into the text under test. URLs and form names are the gateway's.
 */
function models(text: (s: string) => string): Record<string, Record<string, unknown>> {
  const s = '/s/Zx8_kP2mQw4rT6yU9iOa1b';
  const d = `${s}/d/c1/3`;
  const nav = { home: `${s}/`, logout: `${s}/logout` };
  const db = { name: text('Wine cellar'), url: d };
  const list = (labels: string[]) => labels.map((label, i) => ({ url: `${d}/r/${i + 1}`, label: text(label) }));
  const options = (pairs: string[][], chosen?: string) => pairs.map(([value, label]) => ({ value, label: text(label), selected: value === chosen }));
  const ops = [['eq', '='], ['ne', 'not ='], ['lt', '<'], ['le', '<='], ['gt', '>'], ['ge', '>=']];
  return {
    login: { title: 'Log in', action: '/login', login: text(''), error: text('This login is not known.') },
    password: { title: 'Password', action: '/login/password', login: text('demo'), back: '/' },
    home: {
      title: 'Databases',
      logout: nav.logout,
      user: { login: text('demo'), name: text('Demo User') },
      dbs: [
        { name: text('Wine cellar'), url: d, owner: text('demo'), right: 'owner', shared: false },
        { name: text('Books'), url: `${s}/d/c1/4`, owner: text('demo'), right: 'owner', shared: false },
        { name: text('Restaurants'), url: `${s}/d/c2/1`, owner: text('alice'), right: 'read/write', shared: true },
        { name: text('Recipes'), url: `${s}/d/c2/7`, owner: text('bob'), right: 'read', shared: true },
      ],
      newDb: `${s}/new`,
      next: `${s}/?from=4`,
    },
    database: {
      title: text('Wine cellar'),
      ...nav,
      db: { name: text('Wine cellar'), owner: text('demo'), right: 'owner', url: d },
      records: list(['Margaux, Château Margaux', 'Pétrus, Pomerol', 'Sassicaia, Tenuta San Guido', 'Riesling, Dr. Loosen', 'Barolo, Conterno']),
      add: `${d}/new`,
      addField: `${d}/fields`,
      search: `${d}/search`,
      count: 12,
      next: `${d}?from=5`,
      prev: `${d}?from=0`,
    },
    record: {
      title: text('Wine cellar'),
      ...nav,
      db,
      lines: [
        ['Bottle', 'Margaux'], ['Vineyard', 'Château Margaux'], ['Year', '1998'], ['Rating', 'excellent'],
        ['Notes', 'Decant two hours '], ['Notes', 'before serving.'], ['Low stock', 'Bottles < 3'],
      ].map(([label, value]) => ({ label: text(label), value: text(value) })),
      edit: `${d}/r/1/edit`,
      delete: `${d}/r/1/delete`,
      next: `${d}/r/1?from=7`,
    },
    record_form: {
      title: text('Wine cellar'),
      ...nav,
      db,
      action: `${d}/r/1/edit`,
      cancel: d,
      error: text('Year must be a number.'),
      inputs: [
        { name: 'f1', label: text('Bottle'), type: 'text', value: text('Margaux') },
        { name: 'f2', label: text('Year'), type: 'number', value: text('1998'), hint: 'a number' },
        { name: 'f3', label: text('Rating'), type: 'choice', value: text('excellent'), choices: ['good', 'excellent'].map((c) => ({ value: text(c), label: text(c), selected: c === 'excellent' })) },
        { name: 'f4', label: text('Opened'), type: 'checkbox', value: '1', checked: true },
        { name: 'f5', label: text('Drink from'), type: 'alarm', value: text('2026-05-01'), hint: 'YYYY-MM-DD' },
      ],
    },
    db_form: { title: 'New database', ...nav, action: `${s}/new`, name: text(''), cancel: `${s}/` },
    field_form: {
      title: 'Fields',
      ...nav,
      db: { name: text('Books'), url: `${s}/d/c1/4` },
      action: `${s}/d/c1/4/fields`,
      notice: text('Field "Shelf" added.'),
      existing: ['Title (Text)', 'Pages (Number)', 'Shelf (Choice)', 'Read (Yes/no)'].map(text),
      types: options([['text', 'Text'], ['number', 'Number'], ['date', 'Date'], ['checkbox', 'Yes/no'], ['choice', 'Choice'], ['alarm', 'Alarm']]),
      ops: options(ops),
      watchable: [{ value: '', label: 'the date' }, { value: text('Pages'), label: text('Pages') }],
      events: options([['login', 'Show at login'], ['email', 'Email me'], ['sms', 'SMS me']]),
      values: { name: text(''), type: 'text', choices: text(''), watch: '', op: '', event: 'login' },
      done: `${s}/d/c1/4`,
    },
    confirm: { title: 'Delete', ...nav, message: text('Delete this record from Wine cellar?'), action: `${d}/r/1/delete`, yes: 'Delete', cancel: `${d}/r/1` },
    search: {
      title: 'Search',
      ...nav,
      db,
      action: `${d}/find`,
      fields: ['Bottle', 'Vineyard', 'Year', 'Rating', 'Bottles', 'Drink from', 'Low stock'].map((label, i) => ({ value: String(i + 11), label: text(label), selected: i === 2 })),
      ops: options([...ops, ['contains', 'contains'], ['starts', 'starts with'], ['empty', 'is empty'], ['notempty', 'is not empty']], 'lt'),
      q: text('2001'),
    },
    results: {
      title: 'Found',
      ...nav,
      db,
      summary: text('Year < 2001'),
      records: list(['Margaux, Château Margaux', 'Pétrus, Pomerol', 'Yquem, Sauternes']),
      none: false,
      again: `${d}/search?f=13&op=lt&q=2001`,
      next: `${d}/find?f=13&op=lt&q=2001&from=3`,
    },
    error: { title: 'Error', home: nav.home, message: text('There is no such page.'), back: `${s}/` },
  };
}

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
  t.deepEqual(VIEWS, ['login', 'password', 'home', 'database', 'record', 'record_form', 'db_form', 'field_form', 'confirm', 'search', 'results', 'error']);
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
    test(`${markup}: ${view} is valid and within the ${device.budget}-byte budget`, (t) => {
      const { body, contentType } = render(device, view, REALISTIC[view]);
      t.is(contentType, CONTENT_TYPES[markup]);
      t.true(body.length <= device.budget, `${body.length} bytes`);
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
      const { body } = render(device, view, EMPTY_MODELS[view]);
      if (markup === 'wml') t.is(wmlErrors(body), null);
      t.true(body.length <= device.budget);
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
  const re = markup === 'wml' ? /<postfield name="([^"]+)"/g : /<(?:input|select)[^>]* name="([^"]+)"/g;
  return [...new Set([...page.matchAll(re)].map((m) => m[1]))];
}

const FORM_NAMES: Record<string, string[]> = {
  login: ['login'],
  password: ['login', 'password'],
  record_form: ['f1', 'f2', 'f3', 'f4', 'f5'],
  db_form: ['name'],
  field_form: ['name', 'type', 'choices', 'watch', 'op', 'event'],
  confirm: [],
  search: ['f', 'op', 'q'],
};

for (const markup of MARKUPS) {
  test(`${markup}: forms send the names the route handlers read`, (t) => {
    const device = detectDevice({ override: markup });
    for (const [view, names] of Object.entries(FORM_NAMES)) {
      const page = text(markup, render(device, view, REALISTIC[view]).body);
      // WML leaves the alarm's comparison and event to the core's defaults: six lists do not fit a deck.
      const expected = markup === 'wml' && view === 'field_form' ? names.filter((n) => n !== 'op' && n !== 'event') : names;
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
