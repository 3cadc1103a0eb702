// The search module: every comparison on every kind of field, typed operands, pages, and the index behind it.
import test from 'ava';
import fc from 'fast-check';
import { openTestPortal, closeTestPortals } from '../support/system.ts';
import { freshStoreUrl } from '../support/stores.ts';
import type { Portal, DbRef } from '../../core/portal.ts';
import { Cell, type Actor } from '../../core/cell/cell.ts';
import { MAX_TEXT, fold, indexKey, type Comparison } from '../../core/cell/fields.ts';
import { CoreError } from '../../core/errors.ts';
import { trigrams } from '../../core/cell/records.ts';
import { searchStatement } from '../../core/cell/search.ts';
import { CELL_MIGRATIONS } from '../../core/cell/schema.ts';
import { migrate } from '../../core/store/migrate.ts';
import { openStore } from '../../core/store/open.ts';
import type { SqlValue, Store } from '../../core/store/store.ts';

test.after.always(closeTestPortals);

interface World {
  portal: Portal;
  ann: Actor;
  ref: DbRef;
  f: Record<string, number>;
}

const ROWS = [
  { name: 'Château Margaux', year: '1998', bought: '2001-05-02', open: '', color: 'red' },
  { name: 'margaux blanc', year: '2005', bought: '2010-01-15', open: 'on', color: 'white' },
  { name: 'Latour 100%_pure', year: '1990', bought: '', open: '', color: 'red' },
  { name: '', year: '', bought: '2020-12-31', open: 'on', color: '' },
  { name: 'ｼｬﾄｰ', year: '2015.5', bought: '1999-07-01', open: '', color: 'rosé' },
];

async function world(): Promise<World> {
  const portal = await openTestPortal();
  await portal.addCell('c1', 10);
  const ann = await portal.register('ann', 'secret', 'Ann');
  const ref = await portal.createDatabase(ann, 'Cellar');
  const f: Record<string, number> = {};
  f.name = (await portal.addField(ann, ref, { name: 'Name', type: 'text' })).id;
  f.year = (await portal.addField(ann, ref, { name: 'Year', type: 'number' })).id;
  f.bought = (await portal.addField(ann, ref, { name: 'Bought', type: 'date' })).id;
  f.open = (await portal.addField(ann, ref, { name: 'Opened', type: 'checkbox' })).id;
  f.color = (await portal.addField(ann, ref, { name: 'Color', type: 'choice', choices: 'red, white, rosé' })).id;
  for (const row of ROWS) {
    await portal.createRecord(ann, ref, Object.fromEntries(Object.entries(row).map(([k, v]) => [String(f[k]), v])));
  }
  return { portal, ann, ref, f };
}

/** The ids of the records a search finds, sorted. */
async function find(w: World, field: string, op: Comparison, operand = ''): Promise<number[]> {
  const { items } = await w.portal.search(w.ann, w.ref, { fieldId: w.f[field], op, operand }, 0, 50);
  return items.map((r) => r.id).sort((a, b) => a - b);
}

test('every comparison finds exactly the right records', async (t) => {
  const w = await world();
  const first = (await w.portal.records(w.ann, w.ref, 0, 1)).items[0].id;
  const rows = async (field: string, op: Comparison, operand = '') => (await find(w, field, op, operand)).map((id) => id - first + 1);
  const cases: [string, Comparison, string, number[]][] = [
    ['name', 'eq', 'château margaux', [1]],
    ['name', 'ne', 'château margaux', [2, 3, 4, 5]],
    ['name', 'contains', 'MARGAUX', [1, 2]],
    ['name', 'contains', '100%_', [3]],
    ['name', 'contains', '%', [3]],
    ['name', 'contains', '_', [3]],
    ['name', 'starts', 'marg', [2]],
    ['name', 'starts', 'シャ', [5]],
    ['name', 'empty', '', [4]],
    ['name', 'notempty', '', [1, 2, 3, 5]],
    ['year', 'eq', '1998', [1]],
    ['year', 'lt', '2000', [1, 3]],
    ['year', 'le', '1998', [1, 3]],
    ['year', 'gt', '2005', [5]],
    ['year', 'ge', '2005', [2, 5]],
    ['year', 'ne', '1998', [2, 3, 4, 5]],
    ['year', 'empty', '', [4]],
    ['bought', 'lt', '2001-05-02', [5]],
    ['bought', 'ge', '2010-01-15', [2, 4]],
    ['bought', 'empty', '', [3]],
    ['open', 'eq', 'yes', [2, 4]],
    ['open', 'eq', 'no', [1, 3, 5]],
    ['color', 'eq', 'red', [1, 3]],
    ['color', 'ne', 'red', [2, 4, 5]],
    ['color', 'empty', '', [4]],
  ];
  for (const [field, op, operand, expected] of cases) {
    t.deepEqual(await rows(field, op, operand), expected, `${field} ${op} ${operand}`);
  }
});

test('an operand of the wrong type is refused in words', async (t) => {
  const w = await world();
  const search = (field: string, op: Comparison, operand: string) => w.portal.search(w.ann, w.ref, { fieldId: w.f[field], op, operand }, 0, 10);
  t.regex((await t.throwsAsync(search('year', 'lt', 'old')))!.message, /Year must be a number/);
  t.regex((await t.throwsAsync(search('bought', 'gt', 'yesterday')))!.message, /date written YYYY-MM-DD/);
  t.regex((await t.throwsAsync(search('year', 'contains', '9')))!.message, /not text/);
  t.regex((await t.throwsAsync(search('name', 'contains', '  ')))!.message, /Type something/);
  t.regex((await t.throwsAsync(search('year', 'eq', '')))!.message, /is empty/);
  t.regex((await t.throwsAsync(search('color', 'eq', 'blue')))!.message, /one of/);
  t.regex((await t.throwsAsync(w.portal.search(w.ann, w.ref, { fieldId: 9999, op: 'eq', operand: 'x' }, 0, 10)))!.message, /Choose a field/);
  t.regex((await t.throwsAsync(w.portal.search(w.ann, w.ref, { fieldId: w.f.name, op: 'like' as Comparison, operand: 'x' }, 0, 10)))!.message, /Unknown comparison/);
});

test('results come a page at a time, ordered by the compared value', async (t) => {
  const portal = await openTestPortal();
  await portal.addCell('c1', 10);
  const ann = await portal.register('ann', 'secret', 'Ann');
  const ref = await portal.createDatabase(ann, 'N');
  const n = (await portal.addField(ann, ref, { name: 'N', type: 'number' })).id;
  for (const v of [5, 3, 9, 1, 7, 2, 8]) await portal.createRecord(ann, ref, { [n]: String(v) });
  const page = (offset: number) => portal.search(ann, ref, { fieldId: n, op: 'gt', operand: '1' }, offset, 3);
  const one = await page(0);
  const two = await page(3);
  t.deepEqual(one.items.map((r) => r.values[n]), [2, 3, 5]);
  t.true(one.more);
  t.deepEqual(two.items.map((r) => r.values[n]), [7, 8, 9]);
  t.false(two.more);
});

test('a field added later sees the records already there as empty', async (t) => {
  const w = await world();
  const note = (await w.portal.addField(w.ann, w.ref, { name: 'Note', type: 'text' })).id;
  const { items } = await w.portal.search(w.ann, w.ref, { fieldId: note, op: 'empty', operand: '' }, 0, 50);
  t.is(items.length, ROWS.length);
});

test('search is answered from an index, not a scan of the records', async (t) => {
  const w = await world();
  const store = (await w.portal.cell('c1')).store;
  const sql = 'SELECT record_id FROM field_values WHERE field_id = ? AND num < ? ORDER BY num, record_id LIMIT 10';
  if (store.dialect === 'sqlite') {
    const plan = (await store.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, [w.f.year, 2000])).map((r) => r.detail).join('\n');
    t.regex(plan, /USING (COVERING )?INDEX field_values_num/);
    t.notRegex(plan, /TEMP B-TREE/, 'no sort step');
  } else {
    const plan = await store.all<{ key: string | null; Extra: string | null }>(`EXPLAIN ${sql}`, [w.f.year, 2000]);
    t.is(plan[0].key, 'field_values_num');
    t.notRegex(plan[0].Extra ?? '', /filesort/);
  }
});

/** Ann on a fresh cell, with a Notes database of one text field. */
async function annsNotes() {
  const portal = await openTestPortal();
  await portal.addCell('c1', 10);
  const ann = await portal.register('ann', 'secret', 'Ann');
  const ref = await portal.createDatabase(ann, 'Notes');
  const f = (await portal.addField(ann, ref, { name: 'Note', type: 'text' })).id;
  return { portal, ann, ref, f };
}

/** Stores `texts` in field `f`; the search it returns answers with the indexes of the texts found, sorted. */
async function finder(portal: Portal, ann: Actor, ref: DbRef, f: number, texts: string[]) {
  const ids = await portal.importRecords(ann, ref, texts.map((text) => ({ [f]: text })));
  return async (op: Comparison, operand: string) => (await portal.search(ann, ref, { fieldId: f, op, operand }, 0, 10)).items.map((r) => ids.indexOf(r.id)).sort();
}

test('values longer than the index key are still found exactly', async (t) => {
  const { portal, ann, ref, f } = await annsNotes();
  const stem = 'あ'.repeat(254);
  const texts = [stem + 'b', stem + 'bX', stem + 'bY tail with a needle', 'short needle'];
  const find = await finder(portal, ann, ref, f, texts);
  t.deepEqual(await find('eq', stem + 'bx'), [1], 'equal past the key, folded');
  t.deepEqual(await find('eq', stem + 'b'), [0]);
  t.deepEqual(await find('ne', stem + 'bX'), [0, 2, 3]);
  t.deepEqual(await find('contains', 'needle'), [2, 3]);
  t.deepEqual(await find('contains', 'B' + 'Y TAIL'), [2]);
  t.deepEqual(await find('starts', stem + 'by'), [2]);
  t.deepEqual(await find('starts', stem), [0, 1, 2]);
});

test('a 40 KB note is stored whole and found by a word near its end; one past the cap is refused as too large and changes nothing', async (t) => {
  const { portal, ann, ref, f } = await annsNotes();
  const note = Array.from({ length: 1600 }, (_, i) => `Line ${i}: minutes, été 日本語`).join('\n') + '\nLast of all: Zanzibar';
  t.true(note.length >= 40_000 && note.length <= MAX_TEXT, `${note.length} characters`);
  const [id, other] = await portal.importRecords(ann, ref, [{ [f]: note }, { [f]: 'a short note on Line 7' }]);
  t.is((await portal.record(ann, ref, id)).record.values[f], note, 'read back intact');
  const contains = async (operand: string) => (await portal.search(ann, ref, { fieldId: f, op: 'contains', operand }, 0, 10)).items.map((r) => r.id);
  t.deepEqual(await contains('zanzibar'), [id]);
  t.deepEqual(await contains('line 1599: minutes'), [id]);
  t.deepEqual(await contains('Line 7'), [id, other]);
  const store = (await portal.cell('c1')).store;
  // One row per distinct trigram, not per position: a long text of words repeats most of them.
  const held = await gramsHeld(store, f);
  t.deepEqual(held, gramsOf(new Map([[id, note], [other, 'a short note on Line 7']])));
  t.true(held.length < note.length / 10, `${held.length} trigram rows for ${note.length} characters`);

  const over = await t.throwsAsync(portal.updateRecord(ann, ref, id, { [f]: 'x'.repeat(MAX_TEXT + 1) }), { instanceOf: CoreError });
  t.is(over.kind, 'too-large');
  t.regex(over.message, /Note is too long \(at most 100,000 characters\)/);
  t.is((await portal.record(ann, ref, id)).record.values[f], note, 'nothing changed');
  t.deepEqual(await gramsHeld(store, f), held);
  await portal.updateRecord(ann, ref, id, { [f]: 'y'.repeat(MAX_TEXT) });
  t.is((await portal.record(ann, ref, id)).record.values[f], 'y'.repeat(MAX_TEXT), 'a value at the cap is taken');
});

test('equal to a text shorter than the key is answered from the key alone, and exactly', async (t) => {
  const { portal, ann, ref, f } = await annsNotes();
  const stem = 'あ'.repeat(254);
  // The first is cut to a key ending in a space, which MySQL's PAD SPACE collation takes as equal to `stem`.
  const find = await finder(portal, ann, ref, f, [stem + ' tail', stem, 'Short', 'short ', 'shorter']);
  t.deepEqual(await find('eq', stem), [1]);
  t.deepEqual(await find('eq', stem + ' tail'), [0]);
  t.deepEqual(await find('eq', 'SHORT'), [2, 3]);
  t.deepEqual(await find('ne', 'short'), [0, 1, 4]);
  const { fields } = await portal.database(ann, ref);
  const store = (await portal.cell('c1')).store;
  if (store.dialect === 'sqlite') {
    const { sql, params } = (await searchStatement(store, fields, { fieldId: f, op: 'eq', operand: 'short' }, 0, 10))!;
    const plan = (await store.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((r) => r.detail).join('\n');
    t.regex(plan, /USING COVERING INDEX field_values_txt/);
  } else t.pass();
});

// "contains" and its trigram index -------------------------------------------------------------

/** Every field_grams row of a field, as `record gram`, sorted. */
async function gramsHeld(store: Store, fieldId: number): Promise<string[]> {
  const rows = await store.all<{ record_id: number; gram: string }>('SELECT record_id, gram FROM field_grams WHERE field_id = ?', [fieldId]);
  return rows.map((r) => `${r.record_id} ${r.gram}`).sort();
}

/** What field_grams should hold for these stored texts: each one's distinct trigrams of its folded whole text. */
function gramsOf(texts: Map<number, string>): string[] {
  return [...texts].flatMap(([id, text]) => [...new Set(trigrams(fold(text)))].map((g) => `${id} ${g}`)).sort();
}

/** Every match of a "contains" search, a small page at a time. */
async function containsAll(portal: Portal, ann: Actor, ref: DbRef, fieldId: number, operand: string): Promise<number[]> {
  const ids: number[] = [];
  for (let offset = 0; ; offset += 3) {
    const { items, more } = await portal.search(ann, ref, { fieldId, op: 'contains', operand }, offset, 3);
    ids.push(...items.map((r) => r.id));
    if (!more) return ids;
  }
}

// Short texts from a few letters, so that needles repeat and overlap: cases and widths that fold
// alike, letters that NFKC joins or splits, astral characters, and runs of one letter.
const LETTERS = ['a', 'A', 'b', 'n', 'aa', 'é', 'É', 'ß', 'ﬁ', 'カ', 'ｶ', 'ﾞ', 'ガ', 'ナ', 'ﾅ', 'あ', '漢', '😀', ' ', '　', '%', '_'];
const shortText = fc.array(fc.constantFrom(...LETTERS), { maxLength: 12 }).map((a) => a.join(''));
const someText = fc.oneof(
  { arbitrary: shortText, weight: 8 },
  { arbitrary: fc.tuple(fc.integer({ min: 1, max: 20 }), fc.constantFrom('a', 'あ', 'ab')).map(([n, s]) => s.repeat(n)), weight: 2 },
  // Past the index key (KEY_CHARS): found by the whole text.
  { arbitrary: fc.tuple(fc.integer({ min: 250, max: 300 }), shortText).map(([n, s]) => 'あ'.repeat(n) + s), weight: 1 },
);
/** A piece of one of the texts (by code point), or anything. */
const needleFor = (texts: string[]) =>
  fc.oneof(
    fc.tuple(fc.nat(texts.length - 1), fc.nat(), fc.integer({ min: 1, max: 8 })).map(([i, from, n]) => {
      const points = [...texts[i]];
      const start = points.length ? from % points.length : 0;
      return points.slice(start, start + n).join('');
    }),
    shortText,
  );

test('contains finds exactly the texts that hold the needle, through edits and deletions', async (t) => {
  const portal = await openTestPortal();
  await portal.addCell('c1', 10);
  const ann = await portal.register('ann', 'secret', 'Ann');
  const store = (await portal.cell('c1')).store;
  let run = 0;
  const scenario = fc
    .array(someText, { minLength: 1, maxLength: 25 })
    .chain((texts) =>
      fc.record({
        texts: fc.constant(texts),
        edits: fc.array(fc.tuple(fc.nat(texts.length - 1), fc.option(someText, { nil: null })), { maxLength: 8 }),
        needles: fc.array(needleFor(texts), { minLength: 1, maxLength: 8 }),
      }),
    );
  await fc.assert(
    fc.asyncProperty(scenario, async ({ texts, edits, needles }) => {
      const ref = await portal.createDatabase(ann, `Run ${run++}`);
      const f = (await portal.addField(ann, ref, { name: 'Text', type: 'text' })).id;
      const ids = await portal.importRecords(ann, ref, texts.map((text) => ({ [f]: text })));
      // What each record holds now, as stored (trimmed; an empty value is none).
      const live = new Map<number, string>(ids.map((id, i) => [id, texts[i].trim()]));
      for (const [i, text] of edits) {
        if (!live.has(ids[i])) continue;
        if (text === null) {
          await portal.deleteRecord(ann, ref, ids[i]);
          live.delete(ids[i]);
        } else {
          await portal.updateRecord(ann, ref, ids[i], { [f]: text });
          live.set(ids[i], text.trim());
        }
      }
      const stored = new Map([...live].filter(([, text]) => text !== ''));
      t.deepEqual(await gramsHeld(store, f), gramsOf(stored), 'field_grams holds the trigrams of the values there are, no more');
      for (const needle of needles.filter((n) => n.trim() !== '')) {
        const want = [...stored].filter(([, text]) => fold(text).includes(fold(needle.trim()))).map(([id]) => id);
        t.deepEqual(await containsAll(portal, ann, ref, f, needle), want, `contains ${JSON.stringify(needle)}`);
      }
    }),
    { numRuns: 40 },
  );
});

test('edits and deletions keep the trigrams right', async (t) => {
  const portal = await openTestPortal();
  await portal.addCell('c1', 10);
  const ann = await portal.register('ann', 'secret', 'Ann');
  const store = (await portal.cell('c1')).store;
  const ref = await portal.createDatabase(ann, 'Cellar');
  const name = (await portal.addField(ann, ref, { name: 'Name', type: 'text' })).id;
  const color = (await portal.addField(ann, ref, { name: 'Color', type: 'choice', choices: 'red, white, rosé' })).id;
  const year = (await portal.addField(ann, ref, { name: 'Year', type: 'number' })).id;
  const long = 'あ'.repeat(300) + ' Pétrus';
  const [a, b, c] = await portal.importRecords(ann, ref, [
    { [name]: 'Château Margaux', [color]: 'red', [year]: '1998' },
    { [name]: 'Margaux blanc', [color]: 'white' },
    { [name]: long },
  ]);
  const find = (fieldId: number, operand: string) => containsAll(portal, ann, ref, fieldId, operand);
  t.deepEqual(await find(name, 'margaux'), [a, b]);
  t.deepEqual(await find(name, 'pétrus'), [c]);

  await portal.updateRecord(ann, ref, a, { [name]: 'Château Latour', [color]: 'rosé' });
  t.deepEqual(await find(name, 'margaux'), [b], 'the old text is not found');
  t.deepEqual(await find(name, 'latour'), [a], 'the new one is');
  t.deepEqual(await find(name, 'château'), [a], 'and what both share still is');
  t.deepEqual(await find(color, 'rosé'), [a]);
  t.deepEqual(await find(color, 'red'), []);
  await portal.updateRecord(ann, ref, c, { [name]: long.replace('Pétrus', 'Pomerol') });
  t.deepEqual(await find(name, 'pétrus'), []);
  t.deepEqual(await find(name, 'pomerol'), [c]);
  await portal.updateRecord(ann, ref, b, { [name]: '', [year]: '2001' });
  t.deepEqual(await find(name, 'margaux'), []);
  await portal.updateRecord(ann, ref, b, { [name]: 'Margaux again' });
  t.deepEqual(await find(name, 'margaux'), [b]);
  await portal.deleteRecord(ann, ref, b);
  t.deepEqual(await find(name, 'margaux'), []);
  await portal.deleteRecord(ann, ref, a);
  t.deepEqual(await find(color, 'rosé'), []);
  t.deepEqual(await gramsHeld(store, name), gramsOf(new Map([[c, long.replace('Pétrus', 'Pomerol')]])));
  t.deepEqual(await gramsHeld(store, color), []);
  t.deepEqual(await gramsHeld(store, year), [], 'numbers have none');
});

test('a rare needle is searched through its rarest trigram, a common one by the scan', async (t) => {
  const portal = await openTestPortal();
  await portal.addCell('c1', 10);
  const ann = await portal.register('ann', 'secret', 'Ann');
  const cell = await portal.cell('c1');
  const ref = await portal.createDatabase(ann, 'Cellar');
  const f = (await portal.addField(ann, ref, { name: 'Name', type: 'text' })).id;
  // More names holding "wine" than a trigram is counted to.
  const texts = Array.from({ length: 2100 }, (_, i) => (i % 700 === 5 ? `Rare wine ${i}` : `Wine ${i}`));
  const ids = await portal.importRecords(ann, ref, texts.map((text) => ({ [f]: text })));
  const { fields } = await portal.database(ann, ref);
  const statement = (operand: string, offset = 0) => searchStatement(cell.store, fields, { fieldId: f, op: 'contains', operand }, offset, 10);

  const rare = (await statement('RARE'))!;
  t.regex(rare.sql, /FROM field_grams/);
  t.true(rare.params.includes('rar') || rare.params.includes('are'), 'driven by one of the needle’s trigrams');
  if (cell.store.dialect === 'sqlite') {
    const plan = (await cell.store.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${rare.sql}`, rare.params)).map((r) => r.detail);
    t.regex(plan[0], /SEARCH field_grams USING PRIMARY KEY \(field_id=\? AND gram=\?\)/, plan.join('\n'));
    t.regex(plan[1], /SEARCH field_values USING PRIMARY KEY \(field_id=\? AND record_id=\?\)/, plan.join('\n'));
    t.notRegex(plan.join('\n'), /TEMP B-TREE/, 'no sort step');
  } else {
    const plan = await cell.store.all<{ table: string; key: string | null; Extra: string | null }>(`EXPLAIN ${rare.sql}`, rare.params);
    t.deepEqual(plan.map((r) => [r.table, r.key]), [['field_grams', 'PRIMARY'], ['field_values', 'PRIMARY']]);
    t.notRegex(plan.map((r) => r.Extra).join(' '), /filesort|temporary/);
  }
  t.deepEqual(await containsAll(portal, ann, ref, f, 'rare'), [5, 705, 1405].map((i) => ids[i]));

  const common = (await statement('wine', 2000))!;
  t.notRegex(common.sql, /field_grams/, 'a needle in thousands of values is found by the scan');
  const page = await portal.search(ann, ref, { fieldId: f, op: 'contains', operand: 'wine' }, 2090, 5);
  t.deepEqual(page.items.map((r) => r.id), ids.slice(2090, 2095));
  t.true(page.more);
  t.is(await statement('zzz'), null, 'a trigram in no value: nothing to read');
  t.notRegex((await statement('ra'))!.sql, /field_grams/, 'fewer than three letters: the scan');
  t.deepEqual((await portal.search(ann, ref, { fieldId: f, op: 'contains', operand: 're' }, 0, 10)).items.map((r) => r.id), [5, 705, 1405].map((i) => ids[i]));
});

test('values stored before the trigram index are given their trigrams when the cell opens', async (t) => {
  const url = freshStoreUrl('grams-backfill');
  // A cell at the schema before the index, its values indexed as the program then did.
  const old = await openStore(url);
  await migrate(old, 'cell', CELL_MIGRATIONS.slice(0, 2));
  const dbId = (await old.run('INSERT INTO dbs (owner, name, created_at) VALUES (?, ?, ?)', ['ann', 'Old', 0])).lastId;
  const addField = async (name: string, type: string, options = {}) =>
    (await old.run('INSERT INTO fields (db_id, position, name, type, options) VALUES (?, ?, ?, ?, ?)', [dbId, 0, name, type, JSON.stringify(options)])).lastId;
  const name = await addField('Name', 'text');
  const year = await addField('Year', 'number');
  const color = await addField('Color', 'choice', { choices: ['red', 'white'] });
  // More values than one backfill step takes, and a long one.
  const names = Array.from({ length: 2500 }, (_, i) => (i === 2400 ? 'あ'.repeat(300) + ' Pétrus' : i % 3 === 0 ? '' : `Château ${i}`));
  const values = new Map<number, string>();
  const colors = new Map<number, string>();
  for (let i = 0; i < names.length; i += 500) {
    const rows: SqlValue[] = [];
    for (let k = i; k < i + 500; k++) {
      const id = (await old.run('INSERT INTO records (db_id, data, created_at, updated_at) VALUES (?, ?, ?, ?)', [dbId, '{}', 0, 0])).lastId;
      const text = indexKey('text', names[k] || null);
      const choice = indexKey('choice', k % 2 ? 'red' : null);
      rows.push(name, id, text.txt, text.full, null, year, id, null, null, k, color, id, choice.txt, null, null);
      if (names[k]) values.set(id, names[k]);
      if (k % 2) colors.set(id, 'red');
    }
    await old.run(`INSERT INTO field_values (field_id, record_id, txt, txt_full, num) VALUES ${Array(rows.length / 5).fill('(?, ?, ?, ?, ?)').join(', ')}`, rows);
  }
  await old.close();

  const store = await openStore(url);
  try {
    const cell = await Cell.open('c1', store, async () => undefined);
    t.deepEqual(await store.all('SELECT * FROM grams_backfill'), [], 'done');
    t.deepEqual(await gramsHeld(store, name), gramsOf(values));
    t.deepEqual(await gramsHeld(store, color), gramsOf(colors));
    t.deepEqual(await gramsHeld(store, year), []);
    const ann: Actor = { login: 'ann', cellId: 'c1' };
    const { fields } = await cell.access(ann, dbId);
    const find = async (fieldId: number, operand: string) => {
      t.regex((await searchStatement(store, fields, { fieldId, op: 'contains', operand }, 0, 10))!.sql, /field_grams/);
      return (await cell.search(ann, dbId, { fieldId, op: 'contains', operand }, 0, 10)).items.map((r) => r.id);
    };
    const idOf = (text: string) => [...values].find(([, v]) => v === text)![0];
    t.deepEqual(await find(name, 'château 2498'), [idOf('Château 2498')]);
    t.deepEqual(await find(name, 'pétrus'), [idOf(names[2400])]);
    t.deepEqual(await find(color, 'red'), [...colors.keys()].slice(0, 10));
    // Opened again, nothing is done twice.
    await Cell.open('c1', store, async () => undefined);
    t.deepEqual(await gramsHeld(store, name), gramsOf(values));
    // A backfill cut short (the process stopped) goes on from where it was.
    const middle = [...values.keys()][1000];
    await store.run('INSERT INTO grams_backfill (id, field_id, record_id) VALUES (1, ?, ?)', [name, middle]);
    await store.run('DELETE FROM field_grams WHERE (field_id = ? AND record_id > ?) OR field_id = ?', [name, middle, color]);
    await Cell.open('c1', store, async () => undefined);
    t.deepEqual(await gramsHeld(store, name), gramsOf(values));
    t.deepEqual(await gramsHeld(store, color), gramsOf(colors));
    t.deepEqual(await store.all('SELECT * FROM grams_backfill'), []);
  } finally {
    await store.close();
  }
});
