// A user's sync state moves with them to another cell (core/sync/move.ts, a part of the move), so
// their phone and their remote portals go on incrementally there: partners, anchors, the
// correspondence table pointing at the moved records, the items as last received, the MD5 secret
// and conflict policy, and the portals set up with their passwords sealed again with the new cell's key.
import test from 'ava';
import type { Store } from '../../core/store/store.ts';
import { closeTestPortals, openSystem } from '../support/system.ts';
import { moveOwner } from '../../core/dispatch/move.ts';
import { syncTables } from '../../core/sync/tables.ts';
import { addRemotePortal } from '../../core/sync/portals.ts';
import { Secrets } from '../../core/cell/secrets.ts';
import { Partners } from '../../core/sync/partners.ts';
import { PimStore } from '../../core/sync/pim.ts';
import { CONTACTS } from '../../core/sync/datastores.ts';
import { DatastoreSync, SYNC } from '../../core/sync/engine.ts';

test.after.always(closeTestPortals);

/** One user's sync rows on a store, their ids and record ids shown as what they stand for, portal passwords opened with the store's key. */
async function syncStateOf(store: Store, login: string) {
  const nameOf = new Map((await store.all<{ id: number; data: string }>('SELECT r.id, r.data FROM records r JOIN dbs d ON d.id = r.db_id WHERE d.owner = ?', [login])).map((r) => [Number(r.id), Object.values(JSON.parse(r.data))[0]]));
  const portals = await store.all<{ id: number; name: string; url: string; secret: string }>('SELECT id, name, url, secret FROM sync_portals WHERE owner = ?', [login]);
  const secrets = await Secrets.open(store);
  const portalName = new Map(portals.map((p) => [String(p.id), p.name]));
  const partners = await store.all<{ id: number; kind: string; partner_key: string }>('SELECT id, kind, partner_key FROM sync_partners WHERE owner = ? ORDER BY kind', [login]);
  const partnerName = new Map(partners.map((p) => [Number(p.id), p.kind === 'portal' ? `portal ${portalName.get(p.partner_key)}` : p.partner_key]));
  const ofPartner = 'partner_id IN (SELECT id FROM sync_partners WHERE owner = ?)';
  return {
    portals: portals.map(({ name, url, secret }) => ({ name, url, password: secrets.open(secret) })),
    partners: [...partnerName.values()],
    anchors: (await store.all<{ partner_id: number; their_anchor: string; our_anchor: string }>(`SELECT partner_id, their_anchor, our_anchor FROM sync_anchors WHERE ${ofPartner}`, [login]))
      .map((a) => `${partnerName.get(Number(a.partner_id))}: ${a.their_anchor}/${a.our_anchor}`)
      .sort(),
    maps: (await store.all<{ partner_id: number; record_id: number; their_id: string }>(`SELECT partner_id, record_id, their_id FROM sync_map WHERE ${ofPartner}`, [login]))
      .map((m) => `${partnerName.get(Number(m.partner_id))}: ${m.their_id} = ${nameOf.get(Number(m.record_id))}`)
      .sort(),
    extras: (await store.all<{ record_id: number; base: string }>('SELECT e.record_id, e.base FROM sync_extras e JOIN dbs d ON d.id = e.db_id WHERE d.owner = ?', [login])).map((e) => `${nameOf.get(Number(e.record_id))}: ${e.base}`),
    users: await store.all('SELECT login, md5_secret, conflict_policy FROM sync_users WHERE login = ?', [login]),
  };
}

/** Gives `login` a Contacts database of `names` and sync state over it, as syncs would have left it. */
async function syncedContacts(portal: Awaited<ReturnType<typeof openSystem>>['portal'], store: Store, login: string, cellId: string, names: string[]) {
  const actor = { login, cellId };
  const ref = await portal.createDatabase(actor, 'Contacts');
  await portal.addField(actor, ref, { name: 'Name', type: 'text' });
  const records = [];
  for (const name of names) records.push(await portal.createRecord(actor, ref, { Name: name }));
  await syncTables(store);
  await store.run('INSERT INTO sync_users (login, md5_secret, conflict_policy) VALUES (?, ?, ?)', [login, `md5-${login}`, 'ours']);
  const portalId = await addRemotePortal(portal, actor, { name: 'Office', url: 'http://127.0.0.1:9/sync', login, password: `remote-${login}`, database: 'contacts', remoteUri: 'addressbook', mode: 'two-way' });
  const phone = (await store.run("INSERT INTO sync_partners (owner, kind, partner_key, nonce, devinf, last_seen) VALUES (?, 'device', ?, '', NULL, 1)", [login, `IMEI:${login}`])).lastId;
  const remote = (await store.run("INSERT INTO sync_partners (owner, kind, partner_key, nonce, devinf, last_seen) VALUES (?, 'portal', ?, '', NULL, 1)", [login, String(portalId)])).lastId;
  for (const partner of [phone, remote]) {
    await store.run("INSERT INTO sync_anchors (partner_id, datastore, their_anchor, their_previous, our_anchor) VALUES (?, 'contacts', ?, '', ?)", [partner, `t${partner}`, `o${partner}`]);
    for (const [i, record] of records.entries()) await store.run("INSERT INTO sync_map (partner_id, datastore, record_id, their_id, digest) VALUES (?, 'contacts', ?, ?, 'd')", [partner, record, `${partner === phone ? 'luid' : 'guid'}${i}`]);
  }
  await store.run('INSERT INTO sync_extras (record_id, db_id, base) VALUES (?, ?, ?)', [records[0], ref.dbId, `BEGIN:VCARD\r\nFN:${names[0]}\r\nX-KEPT:yes\r\nEND:VCARD`]);
}

test('a user moved to another cell takes their phones, remote portals, anchors, correspondence tables and kept vCard properties along, and the old cell keeps none', async (t) => {
  const { portal } = await openSystem({ c1: undefined, c2: undefined }, ['ann', 'bob']);
  const c1 = (await portal.cell('c1')).store;
  const c2 = (await portal.cell('c2')).store;
  // Bob on c2 already holds records, partners and portals: ann's ids must be numbered afresh there.
  await syncedContacts(portal, c2, 'bob', 'c2', ['Bob One', 'Bob Two', 'Bob Three']);
  await syncedContacts(portal, c1, 'ann', 'c1', ['Ann Smith', 'Ann Jones']);
  const before = await syncStateOf(c1, 'ann');
  const bobBefore = await syncStateOf(c2, 'bob');
  t.is(before.maps.length, 4);
  t.deepEqual(before.portals.map((p) => p.password), ['remote-ann']);
  const sealedAt = async (store: Store) => String((await store.get<{ secret: string }>("SELECT secret FROM sync_portals WHERE owner = 'ann'"))!.secret);
  const sealedOnC1 = await sealedAt(c1);
  const oldKey = await Secrets.open(c1);

  await moveOwner(portal, 'ann', 'c2');

  t.deepEqual(await syncStateOf(c2, 'ann'), before, 'the same state at the new cell, every id pointing at what moved, the password opening with its key');
  const sealedOnC2 = await sealedAt(c2);
  t.throws(() => oldKey.open(sealedOnC2), undefined, 'sealed again with the new cell’s key: the old cell’s does not open it');
  t.is(oldKey.open(sealedOnC1), 'remote-ann');
  t.false(sealedOnC2.includes('remote-ann'), 'never stored in the clear');
  t.deepEqual(await syncStateOf(c2, 'bob'), bobBefore, 'the other user of the target untouched');
  for (const table of ['sync_portals', 'sync_partners', 'sync_users']) {
    const column = table === 'sync_users' ? 'login' : 'owner';
    t.deepEqual(await c1.all(`SELECT * FROM ${table} WHERE ${column} = 'ann'`), [], `${table} left on the old cell`);
  }
  for (const table of ['sync_anchors', 'sync_map', 'sync_extras']) t.deepEqual(await c1.all(`SELECT * FROM ${table}`), [], `${table} left on the old cell`);
});

test('a user who deleted a synced contact on the web moves all the same, and their phone is told of the deletion at the new cell', async (t) => {
  const { portal } = await openSystem({ c1: undefined, c2: undefined }, ['ann']);
  const c1 = (await portal.cell('c1')).store;
  await syncedContacts(portal, c1, 'ann', 'c1', ['Ann Smith', 'Ann Jones']);
  // Deleted since the last sync: the phone's pairing stays until it is told, as do the kept properties.
  const ann = { login: 'ann', cellId: 'c1' };
  const contacts = (await portal.databases(ann)).find((d) => d.name === 'Contacts')!;
  // The first contact made: the phone's luid0, with kept properties.
  const [smith] = (await portal.records(ann, contacts, 0, 10)).items;
  await portal.deleteRecord(ann, contacts, smith.id);

  await moveOwner(portal, 'ann', 'c2');

  const c2 = await portal.cell('c2');
  const moved = { login: 'ann', cellId: 'c2' };
  const partners = new Partners(c2.store);
  const phone = await partners.partner('ann', 'device', 'IMEI:ann');
  const { their_anchor: last } = (await c2.store.get<{ their_anchor: string }>('SELECT their_anchor FROM sync_anchors WHERE partner_id = ?', [phone.id]))!;
  const pim = await PimStore.open(c2, moved, CONTACTS);
  const sync = await DatastoreSync.start({ pim, partners, partner: phone, datastore: 'contacts', policy: 'ours', code: SYNC.twoWay, last, next: 'n2', role: 'server' });
  t.is(sync.type, SYNC.twoWay, 'still incremental');
  // (The fixture's made-up digests send the other contact again as a Replace.)
  t.deepEqual((await sync.outgoing()).filter((c) => c.op === 'Delete').map((c) => c.theirId), ['luid0'], 'the deletion goes to the phone');
  t.deepEqual(await c2.store.all('SELECT record_id FROM sync_extras'), [], 'nothing kept for a contact that is gone');
});
