// A table another feature keeps on the cell store moves with its owner once listed in OWNED_TABLES,
// its references to databases, fields and records renumbered (core/cell/export.ts).
import test from 'ava';
import { closeTestPortals, openSystem } from '../support/system.ts';
import { moveOwner } from '../../core/dispatch/move.ts';
import { OWNED_TABLES } from '../../core/cell/export.ts';

test.after.always(closeTestPortals);

// Serial: the table this test adds to OWNED_TABLES exists only in its own system.
test.serial("a feature's owner-scoped table moves with the owner, its ids renumbered", async (t) => {
  const bookmarks = { table: 'test_bookmarks', owner: 'login', id: 'id', refs: { db_id: 'db', record_id: 'record' } };
  OWNED_TABLES.push(bookmarks);
  t.teardown(() => void OWNED_TABLES.splice(OWNED_TABLES.indexOf(bookmarks), 1));
  const { portal, users: [ann, bob] } = await openSystem({ c1: undefined, c2: undefined, c3: undefined }, ['ann', 'bob']);
  for (const id of ['c1', 'c2', 'c3']) {
    const store = (await portal.cell(id)).store;
    const key = store.dialect === 'mysql' ? 'BIGINT PRIMARY KEY AUTO_INCREMENT' : 'INTEGER PRIMARY KEY AUTOINCREMENT';
    await store.run(`CREATE TABLE test_bookmarks (id ${key}, login VARCHAR(64) NOT NULL, db_id BIGINT NOT NULL, record_id BIGINT, label VARCHAR(64) NOT NULL)`);
  }
  // The target numbers things afresh: c3 gets a database first, so the moved ids differ.
  const c3user = await portal.register('cid', 'cid-pass', 'Cid');
  t.is(c3user.cellId, 'c3');
  await portal.createDatabase(c3user, 'Placeholder');
  const ref = await portal.createDatabase(ann, 'Notes');
  const f = (await portal.addField(ann, ref, { name: 'Note', type: 'text' })).id;
  const [, second] = await portal.importRecords(ann, ref, [{ [f]: 'one' }, { [f]: 'two' }]);
  const c1 = (await portal.cell('c1')).store;
  await c1.run('INSERT INTO test_bookmarks (login, db_id, record_id, label) VALUES (?, ?, ?, ?), (?, ?, ?, ?)', ['ann', ref.dbId, second, 'the second', 'bob', 99, null, 'not hers']);
  t.is(bob.cellId, 'c2');

  const result = await moveOwner(portal, 'ann', 'c3');
  const to = result.dbs[0].to;
  const moved = await (await portal.cell('c3')).store.all<{ login: string; db_id: number; record_id: number; label: string }>('SELECT login, db_id, record_id, label FROM test_bookmarks');
  t.is(moved.length, 1);
  t.is(Number(moved[0].db_id), to.dbId);
  const { record } = await portal.record({ login: 'ann', cellId: 'c3' }, to, Number(moved[0].record_id));
  t.deepEqual(Object.values(record.values), ['two'], 'the bookmark points at the same record under its new id');
  t.deepEqual((await c1.all<{ login: string }>('SELECT login FROM test_bookmarks')).map((r) => r.login), ['bob'], 'only the owner’s rows left the old cell');
});

test.serial("an owner's alarms, reminders, notices and contact move with them, pointing at the new ids", async (t) => {
  const { portal, users: [olga] } = await openSystem({ c1: undefined, c2: undefined }, ['olga']);
  const ref = await portal.createDatabase(olga, 'Cellar');
  const name = (await portal.addField(olga, ref, { name: 'Name', type: 'text' })).id;
  const drink = (await portal.addField(olga, ref, { name: 'Drink from', type: 'alarm', watch: '', event: 'login' })).id;
  const recordId = await portal.createRecord(olga, ref, { [name]: 'Margaux', [drink]: '2030-01-01' });
  const planner = await portal.planner(olga);
  const eventId = await planner.create(olga, { type: 'meeting', title: 'Tasting', date: '2030-02-01', time: '18:00', duration: '60', remind: 'login', before: '30' });
  await (await portal.alarms(olga)).setContact(olga, { email: 'olga@example.org', phone: '' });
  const watchesOn = async (cellId: string) =>
    (await (await portal.cell(cellId)).store.all<{ kind: string; source_id: number; item_id: number }>("SELECT kind, source_id, item_id FROM alarm_watch WHERE owner = 'olga' ORDER BY kind")).map((w) => [w.kind, Number(w.source_id), Number(w.item_id)]);
  t.deepEqual(await watchesOn('c1'), [['event', eventId, 0], ['record', drink, recordId]]);
  // A notice of the record alarm having fired, as the alarm watchdog writes it.
  const c1 = (await portal.cell('c1')).store;
  const watch = await c1.get<{ id: number }>("SELECT id FROM alarm_watch WHERE owner = 'olga' AND kind = 'record'");
  await c1.run("INSERT INTO alarm_notices (owner, watch_id, title, link, channel, fired_at, delivery) VALUES ('olga', ?, 'Cellar: Margaux', 'd/c1/1/r/1', 'login', 1, 'none')", [watch!.id]);

  const result = await moveOwner(portal, 'olga', 'c2');
  const there = { login: 'olga', cellId: 'c2' };
  const db = await portal.database(there, result.dbs[0].to);
  const newDrink = db.fields.find((f) => f.name === 'Drink from')!.id;
  const newRecord = (await portal.records(there, result.dbs[0].to, 0, 10)).items[0].id;
  const newEvent = (await (await portal.planner(there)).all(there))[0];
  t.is(newEvent.title, 'Tasting');
  t.deepEqual(await watchesOn('c2'), [['event', newEvent.id, 0], ['record', newDrink, newRecord]]);
  t.deepEqual(await watchesOn('c1'), [], 'the old cell fires nothing for her any more');
  t.is((await (await portal.alarms(there)).contact(there)).email, 'olga@example.org');
  const notices = await (await portal.cell('c2')).store.all<{ kind: string; item_id: number }>("SELECT w.kind, w.item_id FROM alarm_notices n JOIN alarm_watch w ON w.id = n.watch_id WHERE n.owner = 'olga'");
  t.deepEqual(notices.map((n) => [n.kind, Number(n.item_id)]), [['record', newRecord]], 'the notice still names its watch');
});
