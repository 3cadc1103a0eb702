// A table another feature keeps on the cell store moves with its owner once listed in OWNED_TABLES,
// its references to databases, fields and records renumbered (core/cell/export.ts).
import test from 'ava';
import { closeTestPortals, openSystem } from '../support/system.ts';
import { moveOwner } from '../../core/dispatch/move.ts';
import { OWNED_TABLES } from '../../core/cell/export.ts';

test.after.always(closeTestPortals);

test("a feature's owner-scoped table moves with the owner, its ids renumbered", async (t) => {
  OWNED_TABLES.push({ table: 'test_bookmarks', owner: 'login', id: 'id', refs: { db_id: 'db', record_id: 'record' } });
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
