// Growing past one machine (issue 8): cells named by store URL, one on SQLite beside one on
// MariaDB, cells added while the system runs, and a cell out of reach that troubles only its own users.
import test from 'ava';
import { createConnection } from 'mysql2/promise';
import { closeTestPortals, freshBase, kindOf, openSystem, openTestPortal } from '../support/system.ts';
import { freshDir, freshStoreUrl, storeKind } from '../support/stores.ts';
import { outageableStore } from '../support/outage.ts';
import { moveOwner } from '../../core/dispatch/move.ts';
import { parseCellStores } from '../../gateway/config.ts';
import { openDeployment } from '../../core/deployment.ts';

test.after.always(closeTestPortals);

test('CELL_STORES names each cell by URL; a malformed entry is refused with a clear message', (t) => {
  t.deepEqual(parseCellStores('c1=sqlite:/data/c1.sqlite, c2=mysql://gw:pw@db2:3306/cell_c2'), { c1: 'sqlite:/data/c1.sqlite', c2: 'mysql://gw:pw@db2:3306/cell_c2' });
  t.deepEqual(parseCellStores(undefined), {});
  t.throws(() => parseCellStores('c1=postgres://x/y'), { message: /id=sqlite:… or id=mysql:/ });
  t.throws(() => parseCellStores('C1=sqlite:/x'), { message: /CELL_STORES/ });
  t.throws(() => parseCellStores('c1=sqlite:/x c1=sqlite:/y'), { message: /twice/ });
  const err = t.throws(() => parseCellStores('c1=mysql//gw:secret@host/db'));
  t.notRegex(err.message, /secret/, 'a password never reaches the message');
});

test('configured cells on different stores: one SQLite, the other the test store (MariaDB when TEST_STORE says so); a user moves between them', async (t) => {
  const sqliteCell = `sqlite:${freshDir('cells')}/c1.sqlite`;
  const otherCell = storeKind() === 'mysql' ? freshStoreUrl('cell-c2') : `sqlite:${freshDir('cells')}/c2.sqlite`;
  const dispatchUrl = freshStoreUrl('dispatch');
  const config = { storeUrl: freshBase(), dispatchUrl, cellStores: { c1: sqliteCell, c2: otherCell }, cellCapacity: 50, directoryCache: 1000, demo: true };
  const lines: string[] = [];
  const portal = await openDeployment(config, (line) => lines.push(line));
  t.regex(lines.join('\n'), /demo account/);
  t.deepEqual((await portal.dispatch.cells()).map((c) => [c.id, c.storeUrl]), [['c1', sqliteCell], ['c2', otherCell]]);
  t.is((await portal.cell('c1')).store.dialect, 'sqlite');
  t.is((await portal.cell('c2')).store.dialect, storeKind());
  t.is(portal.dispatch.store.url, dispatchUrl);

  const demo = await portal.login('demo', 'demo');
  t.is(demo.user.cellId, 'c1');
  await moveOwner(portal, 'alice', 'c1');
  await moveOwner(portal, 'demo', 'c2');
  const home = await portal.databases(portal.actorOf((await portal.login('demo', 'demo')).session));
  t.deepEqual(home.map((d) => [d.name, d.cellId, d.right]), [['Wine cellar', 'c2', 'owner'], ['Restaurants', 'c1', 'write']]);
  t.is((await portal.records({ login: 'demo', cellId: 'c2' }, home[0], 0, 100)).items.length, 6);
  await portal.close();

  // A second start registers nothing new and keeps everyone where they are.
  const again = await openDeployment(config, (line) => lines.push(line));
  t.is(lines.filter((l) => /demo account/.test(l)).length, 1);
  t.is(await again.locate('demo'), 'c2');
  await again.close();
});

test('a cell added while the system runs gets a unique id, a store of its own, and the next new users', async (t) => {
  const portal = await openTestPortal();
  await portal.addCell('c1', 100);
  for (const login of ['ann', 'bob', 'cid']) await portal.register(login, 'secret', login);
  const added = await portal.addCell('c2', 100);
  t.is(await kindOf(portal.addCell('c2', 100)), 'conflict', 'a cell id is unique');
  t.is(await kindOf(portal.addCell('C 2', 100)), 'invalid');
  t.not(added.storeUrl, (await portal.dispatch.cell('c1'))!.storeUrl);
  if (storeKind() === 'mysql') {
    const server = new URL(added.storeUrl);
    const database = server.pathname.slice(1);
    server.pathname = '/';
    const conn = await createConnection(server.toString());
    const [rows] = await conn.query('SHOW DATABASES LIKE ?', [database]);
    await conn.end();
    t.is((rows as unknown[]).length, 1, 'the new cell is a database of its own');
  }
  const placed = [];
  for (const login of ['dan', 'eve', 'fay']) placed.push((await portal.register(login, 'secret', login)).cellId);
  t.deepEqual(placed, ['c2', 'c2', 'c2'], 'the empty cell takes new users until it is as loaded as the others');
  t.is((await portal.login('eve', 'secret')).user.cellId, 'c2');
});

test('a cell out of reach makes only its own users unavailable, and serves again when it is back', async (t) => {
  const outage = await outageableStore('down');
  const { portal, users: [ann, bob] } = await openSystem({ c1: undefined, c2: outage.url }, ['ann', 'bob']);
  t.is(bob.cellId, 'c2');
  const annDb = await portal.createDatabase(ann, 'Mine');
  const bobDb = await portal.createDatabase(bob, 'His');
  await portal.addField(bob, bobDb, { name: 'Note', type: 'text' });
  await portal.share(bob, bobDb, 'ann', 'read');
  const bobsMail = await (await portal.mail(bob)).summary(bob);

  await outage.stop(portal, 'c2');
  t.is(await kindOf(portal.databases(bob)), 'unavailable');
  t.is(await kindOf(portal.login('bob', 'bob-pass')), 'unavailable');
  t.is(await kindOf(portal.records(ann, bobDb, 0, 10)), 'unavailable', 'what lives on the cell is out of reach');
  const err = await t.throwsAsync(portal.databases(bob));
  t.regex(err.message, /unavailable for a moment/);
  // Everyone else keeps working, their list of what c2 shares with them included.
  t.deepEqual((await portal.databases(ann)).map((d) => d.name), ['Mine', 'His']);
  t.is(await kindOf(portal.addField(ann, annDb, { name: 'Title', type: 'text' })), 'ok');
  t.is((await portal.login('ann', 'ann-pass')).user.cellId, 'c1');
  t.is((await portal.register('cid', 'secret', 'Cid')).cellId, 'c1');

  await outage.start();
  t.deepEqual((await portal.databases(bob)).map((d) => d.name), ['His']);
  t.is((await portal.login('bob', 'bob-pass')).user.cellId, 'c2');
  t.is((await portal.records(ann, bobDb, 0, 10)).items.length, 0);
  t.deepEqual(await (await portal.mail(bob)).summary(bob), bobsMail, 'mail reads the cell as reopened, not the store it lost');
  await outage.close();
});

test('a cell whose store was written by a newer program is refused, alone; a newer dispatch refuses to start', async (t) => {
  const { portal, base } = await openSystem({ c1: undefined, c2: undefined }, ['ann', 'bob']);
  await (await portal.cell('c2')).store.run("UPDATE schema_meta SET version = 99 WHERE kind = 'tombstones'");
  const { version } = (await portal.dispatch.store.get<{ version: number }>("SELECT version FROM schema_meta WHERE kind = 'dispatch'"))!;
  await portal.dispatch.store.run("UPDATE schema_meta SET version = 99 WHERE kind = 'dispatch'");
  const other = await t.throwsAsync(openTestPortal({}, base));
  t.regex(other.message, /schema version 99, newer than this program knows/);
  await portal.dispatch.store.run("UPDATE schema_meta SET version = ? WHERE kind = 'dispatch'", [version]);
  const fresh = await openTestPortal({}, base);
  t.is(await kindOf(fresh.login('bob', 'bob-pass')), 'unavailable');
  t.is((await fresh.login('ann', 'ann-pass')).user.cellId, 'c1');
});
