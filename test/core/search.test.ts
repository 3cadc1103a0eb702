// The search module: every comparison on every kind of field, typed operands, pages, and the index behind it.
import test from 'ava';
import { openTestPortal, closeTestPortals } from '../support/system.ts';
import type { Portal, DbRef } from '../../core/portal.ts';
import type { Actor } from '../../core/cell/cell.ts';
import type { Comparison } from '../../core/cell/fields.ts';

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

test('values longer than the index key are still found exactly', async (t) => {
  const portal = await openTestPortal();
  await portal.addCell('c1', 10);
  const ann = await portal.register('ann', 'secret', 'Ann');
  const ref = await portal.createDatabase(ann, 'Notes');
  const f = (await portal.addField(ann, ref, { name: 'Note', type: 'text' })).id;
  const stem = 'あ'.repeat(254);
  const texts = [stem + 'b', stem + 'bX', stem + 'bY tail with a needle', 'short needle'];
  const ids = await portal.importRecords(ann, ref, texts.map((text) => ({ [f]: text })));
  const find = async (op: Comparison, operand: string) =>
    (await portal.search(ann, ref, { fieldId: f, op, operand }, 0, 10)).items.map((r) => ids.indexOf(r.id)).sort();
  t.deepEqual(await find('eq', stem + 'bx'), [1], 'equal past the key, folded');
  t.deepEqual(await find('eq', stem + 'b'), [0]);
  t.deepEqual(await find('ne', stem + 'bX'), [0, 2, 3]);
  t.deepEqual(await find('contains', 'needle'), [2, 3]);
  t.deepEqual(await find('contains', 'B' + 'Y TAIL'), [2]);
  t.deepEqual(await find('starts', stem + 'by'), [2]);
  t.deepEqual(await find('starts', stem), [0, 1, 2]);
});
