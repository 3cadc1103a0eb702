// Our SyncML client against SyncEvolution's server (syncevo-http-server) as the remote portal.
import test from 'ava';
import { closeTestPortals } from '../support/system.ts';
import { removeLabDirs, vcard } from '../support/syncevolution.ts';
import { withDemoAndPeer } from '../support/peer.ts';
import { addRecord, deleteRecord, editRecord, namesOf } from '../support/contacts.ts';
import { addRemotePortal } from '../../core/sync/portals.ts';
import { syncWithPortal } from '../../gateway/sync/client.ts';

test.after.always(async () => {
  removeLabDirs();
  await closeTestPortals();
});

test('our client keeps the Contacts in step with another portal: first slow, then incremental both ways, deletions, one-way replace', async (t) => {
  t.timeout(180_000);
  await withDemoAndPeer('contacts', async ({ portal, demo, peer }) => {
    await addRecord(portal, 'demo', { Name: 'Carla Ours', 'Given name': 'Carla', 'Family name': 'Ours', Mobile: '+1-555-0101' });
    peer.write('contacts', 'sam.vcf', vcard('Sam', 'Peer', 'TEL;TYPE=WORK:+1-555-0202'));
    const id = await addRemotePortal(portal, demo, { name: 'Other portal', url: peer.url, login: 'carol', password: 'pw-at-peer', database: 'contacts', remoteUri: 'addressbook', mode: 'two-way' });

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
