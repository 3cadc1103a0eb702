// The cell core through the portal, on whichever store TEST_STORE selects.
import test from 'ava';
import { kindOf, openTestPortal, closeTestPortals } from '../support/system.ts';
import type { Portal, DbRef } from '../../core/portal.ts';
import type { Actor } from '../../core/cell/cell.ts';
import { MAX_TEXT } from '../../core/cell/fields.ts';

test.after.always(closeTestPortals);

async function twoCells(capacity = 100): Promise<Portal> {
  const portal = await openTestPortal();
  await portal.addCell('c1', capacity);
  await portal.addCell('c2', capacity);
  return portal;
}

/** A database with one field of every type, owned by `owner`. */
async function cellar(portal: Portal, owner: Actor): Promise<{ ref: DbRef; f: Record<string, number> }> {
  const ref = await portal.createDatabase(owner, 'Cellar');
  const f: Record<string, number> = {};
  f.name = (await portal.addField(owner, ref, { name: 'Name', type: 'text' })).id;
  f.year = (await portal.addField(owner, ref, { name: 'Year', type: 'number' })).id;
  f.bought = (await portal.addField(owner, ref, { name: 'Bought', type: 'date' })).id;
  f.open = (await portal.addField(owner, ref, { name: 'Opened', type: 'checkbox' })).id;
  f.color = (await portal.addField(owner, ref, { name: 'Color', type: 'choice', choices: 'red, white, rosé' })).id;
  f.drink = (await portal.addField(owner, ref, { name: 'Drink from', type: 'alarm' })).id;
  f.low = (await portal.addField(owner, ref, { name: 'Low', type: 'alarm', watch: 'Year', op: 'lt' })).id;
  return { ref, f };
}

test('a new user is placed on the least-loaded cell that has room', async (t) => {
  const portal = await openTestPortal();
  await portal.addCell('c1', 2);
  await portal.addCell('c2', 1);
  const cells = [];
  for (const login of ['ann', 'bob', 'cid']) cells.push((await portal.register(login, 'secret', login)).cellId);
  t.deepEqual(cells, ['c1', 'c2', 'c1']);
  t.is(await kindOf(portal.register('dan', 'secret', 'Dan')), 'unavailable');
  t.is(await kindOf(portal.locate('dan')), 'unknown-login', 'a refused registration leaves nothing in the directory');
  t.is(await kindOf(portal.register('ANN', 'secret', 'again')), 'conflict', 'logins are case-insensitive');
  t.deepEqual((await portal.dispatch.cells()).map((c) => c.userCount), [2, 1]);
});

test('login is two steps: the dispatch knows the cell, the cell checks the password', async (t) => {
  const portal = await twoCells();
  await portal.register('ann', 'right-pass', 'Ann');
  t.is(await kindOf(portal.locate('nobody')), 'unknown-login');
  t.is(await portal.locate(' Ann '), 'c1');
  t.is(await kindOf(portal.login('ann', 'wrong-pass')), 'bad-password');
  const { user, session } = await portal.login('ANN', 'right-pass');
  t.is(user.login, 'ann');
  t.regex(session.token, /^[A-Za-z0-9_-]{22}$/);
  const row = await portal.dispatch.store.get('SELECT * FROM directory WHERE login = ?', ['ann']);
  t.deepEqual(Object.keys(row ?? {}).sort(), ['cell_id', 'login'], 'the dispatch holds no password');
});

test('an owner creates a database with typed fields and adds, edits and deletes records', async (t) => {
  const portal = await twoCells();
  const ann = await portal.register('ann', 'secret', 'Ann');
  const { ref, f } = await cellar(portal, ann);
  const id = await portal.createRecord(ann, ref, { [f.name]: ' Margaux ', [f.year]: '1998', [f.bought]: '2001-05-02', [f.open]: 'on', [f.color]: 'red', [f.drink]: '2026-01-01', [f.low]: '3' });
  const { record } = await portal.record(ann, ref, id);
  t.deepEqual(record.values, { [f.name]: 'Margaux', [f.year]: 1998, [f.bought]: '2001-05-02', [f.open]: true, [f.color]: 'red', [f.drink]: '2026-01-01', [f.low]: 3 });

  await portal.updateRecord(ann, ref, id, { [f.year]: '1999', [f.name]: '' });
  const after = (await portal.record(ann, ref, id)).record.values;
  t.is(after[f.year], 1999);
  t.false(String(f.name) in after, 'an emptied field is empty');
  t.is(after[f.color], 'red', 'fields the form left out keep their value');

  t.is((await portal.database(ann, ref)).recordCount, 1);
  await portal.deleteRecord(ann, ref, id);
  t.is((await portal.database(ann, ref)).recordCount, 0);
  t.is(await kindOf(portal.record(ann, ref, id)), 'not-found');
});

test('a bad value is refused with the field named, and nothing stored changes', async (t) => {
  const portal = await twoCells();
  const ann = await portal.register('ann', 'secret', 'Ann');
  const { ref, f } = await cellar(portal, ann);
  const id = await portal.createRecord(ann, ref, { [f.name]: 'Latour', [f.year]: '2005' });
  for (const [field, value, words] of [
    [f.year, 'nineteen', /Year must be a number/],
    [f.bought, '2001-02-30', /Bought must be a date/],
    [f.color, 'blue', /Color must be one of: red, white, rosé/],
    [f.name, 'bell\u0007', /control characters/],
    [f.name, 'x'.repeat(MAX_TEXT + 1), /too long/],
  ] as const) {
    const err = await t.throwsAsync(portal.updateRecord(ann, ref, id, { [f.name]: 'Changed', [field]: value }));
    t.regex(err!.message, words);
  }
  t.deepEqual((await portal.record(ann, ref, id)).record.values, { [f.name]: 'Latour', [f.year]: 2005 });
  t.is(await kindOf(portal.createRecord(ann, ref, { [f.year]: 'x' })), 'invalid');
  t.is((await portal.database(ann, ref)).recordCount, 1);
  t.is(await kindOf(portal.addField(ann, ref, { name: 'Year', type: 'text' })), 'conflict');
  t.is(await kindOf(portal.addField(ann, ref, { name: 'Kind', type: 'choice', choices: 'one' })), 'invalid');
  t.is(await kindOf(portal.addField(ann, ref, { name: 'Kind', type: 'blob' })), 'invalid');
  t.is(await kindOf(portal.addField(ann, ref, { name: 'A', type: 'alarm', watch: 'Name' })), 'invalid', 'an alarm cannot watch text');
  t.is(await kindOf(portal.createDatabase(ann, 'Cellar')), 'conflict');
  t.is(await kindOf(portal.createDatabase(ann, '   ')), 'invalid');
});

test('records are listed a page at a time in the order they were added', async (t) => {
  const portal = await twoCells();
  const ann = await portal.register('ann', 'secret', 'Ann');
  const ref = await portal.createDatabase(ann, 'Numbers');
  const n = (await portal.addField(ann, ref, { name: 'N', type: 'number' })).id;
  for (let i = 1; i <= 25; i++) await portal.createRecord(ann, ref, { [n]: String(i) });
  const first = await portal.records(ann, ref, 0, 10);
  const last = await portal.records(ann, ref, 20, 10);
  t.deepEqual(first.items.map((r) => r.values[n]), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  t.true(first.more);
  t.deepEqual(last.items.map((r) => r.values[n]), [21, 22, 23, 24, 25]);
  t.false(last.more);
});

test('a database shared across cells is listed with its owner and right, and the right is enforced', async (t) => {
  const portal = await twoCells();
  const ann = await portal.register('ann', 'secret', 'Ann');
  const bob = await portal.register('bob', 'secret', 'Bob');
  const eve = await portal.register('eve', 'secret', 'Eve');
  t.not(ann.cellId, bob.cellId, 'ann and bob live on different cells');
  const { ref, f } = await cellar(portal, ann);
  const id = await portal.createRecord(ann, ref, { [f.name]: 'Margaux' });

  t.is(await kindOf(portal.records(bob, ref, 0, 10)), 'forbidden', 'not shared: no read');
  await portal.share(ann, ref, 'bob', 'read');
  t.deepEqual(await portal.databases(bob), [{ cellId: ann.cellId, dbId: ref.dbId, name: 'Cellar', owner: 'ann', right: 'read', locked: false }]);
  t.is((await portal.records(bob, ref, 0, 10)).items.length, 1);
  t.is(await kindOf(portal.updateRecord(bob, ref, id, { [f.name]: 'Mine' })), 'forbidden', 'read right: no write');
  t.is(await kindOf(portal.createRecord(bob, ref, { [f.name]: 'Mine' })), 'forbidden');
  t.is(await kindOf(portal.deleteRecord(bob, ref, id)), 'forbidden');
  t.is(await kindOf(portal.addField(bob, ref, { name: 'X', type: 'text' })), 'forbidden');
  t.is(await kindOf(portal.share(bob, ref, 'eve', 'read')), 'forbidden', 'only the owner shares');

  await portal.share(ann, ref, 'bob', 'write');
  await portal.updateRecord(bob, ref, id, { [f.name]: 'Margaux 1998' });
  t.is((await portal.record(ann, ref, id)).record.values[f.name], 'Margaux 1998');
  t.is(await kindOf(portal.records(eve, ref, 0, 10)), 'forbidden');

  await portal.unshare(ann, ref, 'bob');
  t.is(await kindOf(portal.records(bob, ref, 0, 10)), 'forbidden', 'a revoked right takes effect at once');
  t.deepEqual(await portal.databases(bob), []);
  t.is((await portal.record(ann, ref, id)).record.values[f.name], 'Margaux 1998');
});

test('a database that does not exist is not found, on any cell', async (t) => {
  const portal = await twoCells();
  const ann = await portal.register('ann', 'secret', 'Ann');
  t.is(await kindOf(portal.records(ann, { cellId: 'c1', dbId: 999 }, 0, 10)), 'not-found');
  t.is(await kindOf(portal.records(ann, { cellId: 'nowhere', dbId: 1 }, 0, 10)), 'not-found');
});
