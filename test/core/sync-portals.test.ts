// The password for a remote portal is kept sealed with the cell's key (core/cell/secrets.ts), as a
// mail password is: never in the clear in the store, opened only for the client to log in there;
// one an older program stored in the clear is sealed on the first use of the sync tables, once.
import test from 'ava';
import { closeTestPortals, openSystem, openTestPortal } from '../support/system.ts';
import { migrate } from '../../core/store/migrate.ts';
import { SYNC_MIGRATIONS } from '../../core/sync/schema.ts';
import { addRemotePortal, portalLogin, remotePortal, remotePortals } from '../../core/sync/portals.ts';

test.after.always(closeTestPortals);

const OFFICE = { name: 'Office', url: 'http://127.0.0.1:9/sync', login: 'ann-there', password: 'pässword there', database: 'contacts', remoteUri: '', mode: 'two-way' };

test('a new portal’s password is stored sealed, given to the client only, never in what a page shows', async (t) => {
  const { portal } = await openSystem({ c1: undefined }, ['ann']);
  const ann = { login: 'ann', cellId: 'c1' };
  const id = await addRemotePortal(portal, ann, OFFICE);
  const store = (await portal.cell('c1')).store;
  const { secret } = (await store.get<{ secret: string }>('SELECT secret FROM sync_portals WHERE id = ?', [id]))!;
  t.regex(secret, /^v1:/, 'sealed');
  t.false(secret.includes('pässword'), 'not the password');
  t.false(Buffer.from(secret).includes(Buffer.from('pässword there')));
  t.is((await portalLogin(portal, ann, id)).password, 'pässword there', 'the client logs in with the password typed');
  t.false('password' in (await remotePortal(portal, ann, id)), 'a page gets no password');
  t.false(JSON.stringify(await remotePortals(portal, ann)).includes('pässword'));
});

test('passwords an older program stored in the clear are sealed on the first use of the sync tables, once, and still open', async (t) => {
  const { portal, base } = await openSystem({ c1: undefined }, ['ann', 'bob']);
  const store = (await portal.cell('c1')).store;
  // The cell as the program before left it: the sync tables at their first version, passwords in the clear.
  await migrate(store, 'sync', SYNC_MIGRATIONS.slice(0, 1));
  const insert = 'INSERT INTO sync_portals (owner, name, url, login, password, datastore, remote_uri, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
  // Bob's is as long as the old column held: sealed, it is longer still.
  const bobThere = `bob-there-${'x'.repeat(245)}`;
  for (const [owner, password] of [['ann', 'ann-there'], ['bob', bobThere]]) await store.run(insert, [owner, 'Office', OFFICE.url, owner, password, 'contacts', 'addressbook', 'two-way']);

  const ann = { login: 'ann', cellId: 'c1' };
  const [office] = await remotePortals(portal, ann);
  const rows = await store.all<{ owner: string; secret: string }>('SELECT owner, secret FROM sync_portals ORDER BY owner');
  t.deepEqual(rows.map((r) => r.owner), ['ann', 'bob'], 'every row kept');
  for (const r of rows) t.false(r.secret.includes(`${r.owner}-there`), `${r.owner}’s sealed`);
  t.true(rows[1].secret.length > 255);
  t.deepEqual(await store.all('SELECT id FROM portal_backfill'), [], 'done');
  t.is((await portalLogin(portal, ann, office.id)).password, 'ann-there');

  // Another process opening the cell afterwards seals nothing twice.
  const later = await openTestPortal({}, base);
  t.is((await portalLogin(later, ann, office.id)).password, 'ann-there');
  const bob = { login: 'bob', cellId: 'c1' };
  t.is((await portalLogin(later, bob, (await remotePortals(later, bob))[0].id)).password, bobThere);
  t.deepEqual((await store.all<{ secret: string }>('SELECT secret FROM sync_portals ORDER BY owner')).map((r) => r.secret), rows.map((r) => r.secret));
});
