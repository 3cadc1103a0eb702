// Our SyncML client against SyncEvolution's server (syncevo-http-server) as the remote portal.
import test from 'ava';
import { closeTestPortals } from '../support/system.ts';
import { removeLabDirs, vcard } from '../support/syncevolution.ts';
import { withDemoAndPeer } from '../support/peer.ts';
import { actorOf, addRecord, deleteRecord, editRecord, namesOf } from '../support/contacts.ts';
import { addRemotePortal, remotePortals } from '../../core/sync/portals.ts';
import { syncWithPortal } from '../../gateway/sync/client.ts';
import { migrate } from '../../core/store/migrate.ts';
import { SYNC_MIGRATIONS } from '../../core/sync/schema.ts';
import { moveOwner } from '../../core/dispatch/move.ts';
import type { Portal } from '../../core/portal.ts';

test.after.always(async () => {
  removeLabDirs();
  await closeTestPortals();
});

/** A portal's password as its cell's store holds it. */
async function storedPassword(portal: Portal, cellId: string, id: number): Promise<string> {
  const row = await (await portal.cell(cellId)).store.get<{ secret: string }>('SELECT secret FROM sync_portals WHERE id = ?', [id]);
  return row!.secret;
}

test('our client keeps the Contacts in step with another portal: first slow, then incremental both ways, deletions, one-way replace', async (t) => {
  t.timeout(180_000);
  await withDemoAndPeer('contacts', async ({ portal, demo, peer }) => {
    await addRecord(portal, 'demo', { Name: 'Carla Ours', 'Given name': 'Carla', 'Family name': 'Ours', Mobile: '+1-555-0101' });
    peer.write('contacts', 'sam.vcf', vcard('Sam', 'Peer', 'TEL;TYPE=WORK:+1-555-0202'));
    const id = await addRemotePortal(portal, demo, { name: 'Other portal', url: peer.url, login: 'carol', password: 'pw-at-peer', database: 'contacts', remoteUri: 'addressbook', mode: 'two-way' });
    t.false((await storedPassword(portal, demo.cellId, id)).includes('pw-at-peer'), 'the password is stored sealed');

    let report = await syncWithPortal(portal, demo, id);
    t.true(report.ok, report.error);
    t.is(report.type, 201, 'the first sync is slow');
    t.deepEqual(await namesOf(portal, 'demo'), ['Carla Ours', 'Sam Peer']);
    t.deepEqual(peer.names(), ['Carla Ours', 'Sam Peer']);

    // Changes on both sides: an incremental two-way sync carries them, and only them.
    await addRecord(portal, 'demo', { Name: 'Dora Ours', 'Given name': 'Dora', 'Family name': 'Ours' });
    await editRecord(portal, 'demo', 'Carla Ours', { Mobile: '+1-555-0111' });
    peer.write('contacts', 'tom.vcf', vcard('Tom', 'Peer'));
    report = await syncWithPortal(portal, demo, id);
    t.true(report.ok, report.error);
    t.is(report.type, 200);
    t.deepEqual(report.sent, { added: 1, replaced: 1, deleted: 0 });
    t.deepEqual(report.received, { added: 1, replaced: 0, deleted: 0 });
    t.deepEqual(await namesOf(portal, 'demo'), ['Carla Ours', 'Dora Ours', 'Sam Peer', 'Tom Peer']);
    t.deepEqual(peer.names(), ['Carla Ours', 'Dora Ours', 'Sam Peer', 'Tom Peer']);
    t.true([...peer.items().values()].some((v) => v.includes('+1-555-0111')), 'the edit reached the peer');

    // Deletions both ways.
    await deleteRecord(portal, 'demo', 'Dora Ours');
    peer.remove('contacts', 'tom.vcf');
    report = await syncWithPortal(portal, demo, id);
    t.true(report.ok, report.error);
    t.deepEqual(await namesOf(portal, 'demo'), ['Carla Ours', 'Sam Peer']);
    t.deepEqual(peer.names(), ['Carla Ours', 'Sam Peer']);

    // One-way replace from the peer: ours becomes a copy of it.
    await addRecord(portal, 'demo', { Name: 'Only Ours', 'Given name': 'Only' });
    const replace = await addRemotePortal(portal, demo, { name: 'Peer, replacing ours', url: peer.url, login: 'carol', password: 'pw-at-peer', database: 'contacts', remoteUri: 'addressbook', mode: 'replace-in' });
    report = await syncWithPortal(portal, demo, replace);
    t.true(report.ok, report.error);
    t.deepEqual(await namesOf(portal, 'demo'), ['Carla Ours', 'Sam Peer']);

    // A wrong password at the peer: the report says so, nothing changes.
    const wrong = await addRemotePortal(portal, demo, { name: 'Wrong', url: peer.url, login: 'carol', password: 'nope', database: 'contacts', remoteUri: 'addressbook', mode: 'two-way' });
    report = await syncWithPortal(portal, demo, wrong);
    t.false(report.ok);
    t.regex(report.error!, /refused the login/);
  });
});

test('a portal an older program stored with its password in the clear: sealed on first use, it syncs; moved to another cell with its owner, it syncs on there', async (t) => {
  t.timeout(180_000);
  await withDemoAndPeer(
    'contacts',
    async ({ portal, demo, peer }) => {
      const [remote] = await remotePortals(portal, demo);
      const sealed = await storedPassword(portal, demo.cellId, remote.id);
      t.false(sealed.includes('pw-at-peer'), 'sealed on first use');
      await addRecord(portal, 'demo', { Name: 'Carla Ours', 'Given name': 'Carla', 'Family name': 'Ours' });
      let report = await syncWithPortal(portal, demo, remote.id);
      t.true(report.ok, report.error);
      t.is(report.type, 201);
      t.deepEqual(peer.names(), ['Carla Ours']);

      await moveOwner(portal, 'demo', 'c2');
      const moved = await actorOf(portal, 'demo');
      t.is(moved.cellId, 'c2');
      // A session from before the move still names c1: the portal and its sync follow the user to c2.
      const [there] = await remotePortals(portal, demo);
      t.false((await storedPassword(portal, 'c2', there.id)).includes('pw-at-peer'), 'sealed at the new cell too');
      await addRecord(portal, 'demo', { Name: 'Dora Ours', 'Given name': 'Dora', 'Family name': 'Ours' });
      report = await syncWithPortal(portal, demo, there.id);
      t.true(report.ok, report.error);
      t.is(report.type, 200, 'incremental: the anchors moved too');
      t.deepEqual(report.sent, { added: 1, replaced: 0, deleted: 0 });
      t.deepEqual(peer.names(), ['Carla Ours', 'Dora Ours']);
    },
    // The cell as the program before left it: the sync tables at their first version, the password in the clear.
    async ({ portal, demo, peer }) => {
      const store = (await portal.cell(demo.cellId)).store;
      await migrate(store, 'sync', SYNC_MIGRATIONS.slice(0, 1));
      await store.run('INSERT INTO sync_portals (owner, name, url, login, password, datastore, remote_uri, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
        'demo',
        'Old portal',
        peer.url,
        'carol',
        'pw-at-peer',
        'contacts',
        'addressbook',
        'two-way',
      ]);
    },
  );
});
