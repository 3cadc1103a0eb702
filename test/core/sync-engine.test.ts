// The sync engine without any SyncML: anchors decide between a normal and a slow sync, the
// correspondence table pairs records with a partner's ids, content finds the changes.
import test from 'ava';
import { closeTestPortals, openTestPortal } from '../support/system.ts';
import { seedDemo } from '../../core/demo.ts';
import { Partners } from '../../core/sync/partners.ts';
import { DatastoreSync, SYNC, type StartOptions } from '../../core/sync/engine.ts';
import { openContacts, namesOf, editRecord, recordsOf } from '../support/contacts.ts';
import { vcard } from '../support/syncevolution.ts';
import { MAX_TEXT } from '../../core/cell/fields.ts';

test.after.always(closeTestPortals);

async function setup() {
  const portal = await openTestPortal();
  await seedDemo(portal);
  const pim = await openContacts(portal, 'demo');
  const partners = new Partners(pim.cell.store);
  const partner = await partners.partner('demo', 'device', 'phone-1');
  const start = (o: Partial<StartOptions> & { code: number; next: string }) => DatastoreSync.start({ pim, partners, partner, datastore: 'addressbook', policy: 'duplicate', role: 'server', ...o });
  const add = (theirId: string, given: string) => ({ op: 'Add' as const, theirId, item: pim.decode(vcard(given, 'Phone'), 'text/vcard') });
  return { portal, pim, partners, partner, start, add };
}

test('anchors: no history or a Last we do not know turns a normal sync slow (508); ours, or the one before, keeps it normal', async (t) => {
  const { start, add } = await setup();
  const first = await start({ code: SYNC.twoWay, last: 'x', next: 'A1' });
  t.is(first.type, SYNC.slow);
  t.is(first.alertStatus, 508);
  t.deepEqual((await first.apply([add('1.vcf', 'Ann')])).map((r) => r.status), [201]);
  await first.theirsComplete();
  await first.finish();

  const second = await start({ code: SYNC.twoWay, last: 'A1', next: 'A2' });
  t.is(second.type, SYNC.twoWay);
  t.is(second.alertStatus, 200);
  await second.finish();
  // The phone never heard the end of the second session: it still says A1, which was the one before.
  t.is((await start({ code: SYNC.twoWay, last: 'A1', next: 'A3' })).type, SYNC.twoWay);
  t.is((await start({ code: SYNC.twoWay, last: 'Z9', next: 'A3' })).alertStatus, 508);
});

test('an add sent again after a cut-off, or the same entry on both sides, is paired and not doubled', async (t) => {
  const { portal, start, add } = await setup();
  const sync = await start({ code: SYNC.slow, next: 'A1' });
  await sync.apply([add('1.vcf', 'Ann'), add('2.vcf', 'Bob')]);
  // The session dies here; the phone sends the same adds again in the next one.
  const again = await start({ code: SYNC.slow, next: 'A2' });
  t.deepEqual((await again.apply([add('1.vcf', 'Ann'), add('2.vcf', 'Bob'), add('3.vcf', 'Cid')])).map((r) => r.status), [201, 201, 201]);
  t.deepEqual(await namesOf(portal, 'demo'), ['Ann Phone', 'Bob Phone', 'Cid Phone']);
  t.deepEqual(await again.outgoing(), [], 'nothing to send back: the phone has them all');
});

test('a change on both sides: duplicate keeps both, and ours goes back to the phone as new', async (t) => {
  const { portal, start, add, pim } = await setup();
  const first = await start({ code: SYNC.slow, next: 'A1' });
  await first.apply([add('1.vcf', 'Ann')]);
  await first.finish();
  await editRecord(portal, 'demo', 'Ann Phone', { Note: 'ours' });
  const second = await start({ code: SYNC.twoWay, last: 'A1', next: 'A2' });
  const theirs = { op: 'Replace' as const, theirId: '1.vcf', item: pim.decode(vcard('Ann', 'Phone', 'NOTE:theirs'), 'text/vcard') };
  t.deepEqual((await second.apply([theirs])).map((r) => r.status), [209]);
  const out = await second.outgoing();
  t.deepEqual(out.map((c) => c.op), ['Add']);
  const notes = (await recordsOf(portal, 'demo')).map((r) => r.values.Note).sort();
  t.deepEqual(notes, ['ours', 'theirs']);
});

test('a sync resumed from its state (by another process) goes on as the one that started it', async (t) => {
  const { portal, start, add, pim, partners, partner } = await setup();
  const first = await start({ code: SYNC.slow, next: 'A1' });
  await first.apply([add('1.vcf', 'Ann'), add('2.vcf', 'Bob')]);
  await first.finish();
  await editRecord(portal, 'demo', 'Ann Phone', { Note: 'ours' });
  const second = await start({ code: SYNC.twoWay, last: 'A1', next: 'A2' });
  const replace = (given: string, note: string) => ({ op: 'Replace' as const, theirId: `${given === 'Ann' ? 1 : 2}.vcf`, item: pim.decode(vcard(given, 'Phone', `NOTE:${note}`), 'text/vcard') });
  t.deepEqual((await second.apply([replace('Ann', 'theirs'), replace('Bob', 'new')])).map((r) => r.status), [209, 200]);
  const resumed = await DatastoreSync.resume({ pim, partners, partner }, JSON.parse(JSON.stringify(second.state)));
  t.deepEqual(resumed.state, second.state);
  t.deepEqual(await resumed.outgoing(), await second.outgoing(), 'ours of Ann goes back as new; their Bob is not echoed');
  // Ours of Ann, set apart from theirs by the conflict, is not paired with a copy of it they add now.
  const copy = await resumed.apply([{ ...add('3.vcf', 'Ann'), item: pim.decode(vcard('Ann', 'Phone', 'NOTE:ours'), 'text/vcard') }]);
  t.deepEqual(copy.map((r) => r.status), [201]);
  t.deepEqual((await resumed.outgoing()).map((c) => c.op), ['Add']);
  t.deepEqual((await recordsOf(portal, 'demo')).map((r) => r.values.Note ?? '').sort(), ['new', 'ours', 'ours', 'theirs']);
});

test('a refresh from the phone with an item refused as too large deletes none of ours: our copy of it stays', async (t) => {
  const { portal, start, add, pim } = await setup();
  const first = await start({ code: SYNC.slow, next: 'A1' });
  await first.apply([add('1.vcf', 'Ann'), add('2.vcf', 'Bob')]);
  await first.finish();
  const refresh = await start({ code: SYNC.refreshFromClient, next: 'A2' });
  let tooLong: Error | undefined;
  try {
    pim.decode(vcard('Bob', 'Phone', `NOTE:${'x'.repeat(MAX_TEXT + 1)}`), 'text/vcard');
  } catch (err) {
    tooLong = err as Error;
  }
  t.deepEqual((await refresh.apply([add('1.vcf', 'Ann'), { op: 'Add', theirId: '2.vcf', item: tooLong }])).map((r) => r.status), [201, 413]);
  await refresh.theirsComplete();
  t.deepEqual(await namesOf(portal, 'demo'), ['Ann Phone', 'Bob Phone'], 'Bob, refused in the refresh, is not deleted');
});
