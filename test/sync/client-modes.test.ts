// Our SyncML client against syncevo-http-server in the modes besides two-way: one-way merge each
// way (with and without deletions), one-way replace of the portal, and the Calendar datastore.
import test, { type ExecutionContext } from 'ava';
import { closeTestPortals } from '../support/system.ts';
import { removeLabDirs, vcard } from '../support/syncevolution.ts';
import { PeerServer, withDemoAndPeer } from '../support/peer.ts';
import { addRecord, deleteRecord, editRecord, namesOf } from '../support/contacts.ts';
import { addRemotePortal } from '../../core/sync/portals.ts';
import type { ModeName } from '../../core/sync/modes.ts';
import type { Portal } from '../../core/portal.ts';
import { syncWithPortal } from '../../gateway/sync/client.ts';

test.after.always(async () => {
  removeLabDirs();
  await closeTestPortals();
});

/** demo with a portal of the given mode at a fresh peer; `sync` runs it and asserts it went well. */
async function withPeer(t: ExecutionContext, mode: ModeName, database: 'contacts' | 'calendar', body: (o: { portal: Portal; peer: PeerServer; sync: () => Promise<void> }) => Promise<void>) {
  t.timeout(180_000);
  await withDemoAndPeer(database, async ({ portal, demo, peer }) => {
    const id = await addRemotePortal(portal, demo, { name: 'Peer', url: peer.url, login: 'carol', password: 'pw-at-peer', database, remoteUri: database === 'contacts' ? 'addressbook' : 'calendar', mode });
    const sync = async () => {
      const report = await syncWithPortal(portal, demo, id);
      t.true(report.ok, report.error);
    };
    await body({ portal, peer, sync });
  });
}

const ours = (portal: Portal) => namesOf(portal, 'demo');

for (const [mode, deletions] of [['merge-out', true], ['merge-out-keep', false]] as const) {
  test(`one-way merge ours to the portal (${mode}): it gains ours, ours gains nothing of it`, async (t) => {
    await withPeer(t, mode, 'contacts', async ({ portal, peer, sync }) => {
      await addRecord(portal, 'demo', { Name: 'Carla Ours', 'Given name': 'Carla', 'Family name': 'Ours' });
      await addRecord(portal, 'demo', { Name: 'Eve Ours', 'Given name': 'Eve', 'Family name': 'Ours' });
      peer.write('contacts', 'sam.vcf', vcard('Sam', 'Peer'));
      await sync();
      t.deepEqual(await ours(portal), ['Carla Ours', 'Eve Ours'], 'nothing of the portal came in');
      t.deepEqual(peer.names(), ['Carla Ours', 'Eve Ours', 'Sam Peer']);

      await deleteRecord(portal, 'demo', 'Carla Ours');
      await editRecord(portal, 'demo', 'Eve Ours', { Mobile: '+1-555-0123' });
      await addRecord(portal, 'demo', { Name: 'Dora Ours', 'Given name': 'Dora', 'Family name': 'Ours' });
      peer.write('contacts', 'tom.vcf', vcard('Tom', 'Peer'));
      await sync();
      t.deepEqual(await ours(portal), ['Dora Ours', 'Eve Ours']);
      t.deepEqual(peer.names(), deletions ? ['Dora Ours', 'Eve Ours', 'Sam Peer', 'Tom Peer'] : ['Carla Ours', 'Dora Ours', 'Eve Ours', 'Sam Peer', 'Tom Peer']);
      t.true([...peer.items().values()].some((v) => v.includes('+1-555-0123')), 'the edit reached the portal');
    });
  });
}

for (const [mode, deletions] of [['merge-in', true], ['merge-in-keep', false]] as const) {
  test(`one-way merge the portal to ours (${mode}): ours gains it, it gains nothing of ours`, async (t) => {
    await withPeer(t, mode, 'contacts', async ({ portal, peer, sync }) => {
      await addRecord(portal, 'demo', { Name: 'Carla Ours', 'Given name': 'Carla', 'Family name': 'Ours' });
      peer.write('contacts', 'sam.vcf', vcard('Sam', 'Peer'));
      peer.write('contacts', 'tom.vcf', vcard('Tom', 'Peer'));
      await sync();
      t.deepEqual(await ours(portal), ['Carla Ours', 'Sam Peer', 'Tom Peer']);
      t.deepEqual(peer.names(), ['Sam Peer', 'Tom Peer'], 'nothing of ours went out');

      peer.remove('contacts', 'sam.vcf');
      peer.write('contacts', 'tom.vcf', vcard('Tom', 'Peer', 'TEL;TYPE=CELL:+1-555-0456'));
      peer.write('contacts', 'uma.vcf', vcard('Uma', 'Peer'));
      await addRecord(portal, 'demo', { Name: 'Dora Ours', 'Given name': 'Dora', 'Family name': 'Ours' });
      await sync();
      t.deepEqual(await ours(portal), deletions ? ['Carla Ours', 'Dora Ours', 'Tom Peer', 'Uma Peer'] : ['Carla Ours', 'Dora Ours', 'Sam Peer', 'Tom Peer', 'Uma Peer']);
      t.deepEqual(peer.names(), ['Tom Peer', 'Uma Peer']);
      t.true((await namesOf(portal, 'demo', 'Contacts', 'Mobile')).includes('+1-555-0456'), 'the edit came in');
    });
  });
}

test('one-way replace of the portal (replace-out): it becomes a copy of ours, ours unchanged', async (t) => {
  await withPeer(t, 'replace-out', 'contacts', async ({ portal, peer, sync }) => {
    await addRecord(portal, 'demo', { Name: 'Carla Ours', 'Given name': 'Carla', 'Family name': 'Ours' });
    await addRecord(portal, 'demo', { Name: 'Dora Ours', 'Given name': 'Dora', 'Family name': 'Ours' });
    peer.write('contacts', 'sam.vcf', vcard('Sam', 'Peer'));
    await sync();
    t.deepEqual(peer.names(), ['Carla Ours', 'Dora Ours']);
    t.deepEqual(await ours(portal), ['Carla Ours', 'Dora Ours']);
    // Again after changes on both sides: still a copy of ours.
    await deleteRecord(portal, 'demo', 'Carla Ours');
    peer.write('contacts', 'tom.vcf', vcard('Tom', 'Peer'));
    await sync();
    t.deepEqual(peer.names(), ['Dora Ours']);
    t.deepEqual(await ours(portal), ['Dora Ours']);
  });
});

const ical = (uid: string, summary: string, start: string, ...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//lab//test//EN', 'BEGIN:VEVENT', `UID:${uid}`, `SUMMARY:${summary}`, `DTSTART:${start}`, `DTEND:${start.replace(/T(\d\d)/, (_, h) => `T${String(Number(h) + 1).padStart(2, '0')}`)}`, ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\n');
const events = (portal: Portal) => namesOf(portal, 'demo', 'Calendar', 'Title');

test('the Calendar with the portal: slow, then edits and deletions both ways', async (t) => {
  await withPeer(t, 'two-way', 'calendar', async ({ portal, peer, sync }) => {
    await addRecord(portal, 'demo', { Title: 'Lunch', Start: '2026-12-04T12:00:00Z', End: '2026-12-04T13:00:00Z', Location: 'Canteen' }, 'Calendar');
    peer.write('calendar', 'dentist.ics', ical('dentist-1', 'Dentist', '20261202T090000Z', 'LOCATION:Main street 1'));
    peer.write('calendar', 'review.ics', ical('review-1', 'Review', '20261203T140000Z'));
    await sync();
    t.deepEqual(await events(portal), ['Dentist', 'Lunch', 'Review']);
    t.deepEqual(peer.names('calendar'), ['Dentist', 'Lunch', 'Review']);
    t.true((await namesOf(portal, 'demo', 'Calendar', 'Start')).includes('2026-12-02T09:00:00Z'));
    t.true([...peer.items('calendar').values()].some((v) => /LOCATION:Canteen/.test(v) && /DTSTART:20261204T120000Z/.test(v)), 'our event reached it whole');

    await editRecord(portal, 'demo', 'Dentist', { Location: 'Station road 9' }, 'Calendar', 'Title');
    await deleteRecord(portal, 'demo', 'Lunch', 'Calendar', 'Title');
    peer.write('calendar', 'review.ics', ical('review-1', 'Review (moved)', '20261203T150000Z'));
    peer.write('calendar', 'gym.ics', ical('gym-1', 'Gym', '20261205T070000Z'));
    await sync();
    t.deepEqual(await events(portal), ['Dentist', 'Gym', 'Review (moved)']);
    t.deepEqual(peer.names('calendar'), ['Dentist', 'Gym', 'Review (moved)']);
    t.true([...peer.items('calendar').values()].some((v) => /LOCATION:Station road 9/.test(v)));

    peer.remove('calendar', 'gym.ics');
    await sync();
    t.deepEqual(await events(portal), ['Dentist', 'Review (moved)']);
  });
});
