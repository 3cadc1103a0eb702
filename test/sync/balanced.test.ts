// SyncEvolution syncing through a round-robin balancer in front of two gateway processes: the
// messages of each session go to both in turn, and one process killed between syncs loses nothing.
import test from 'ava';
import { closeTestPortal, closeTestPortals, freshBase, openTestPortal } from '../support/system.ts';
import { startBalancer } from '../support/balancer.ts';
import { gatewayProcess } from '../support/gateway-process.ts';
import { SyncEvolutionClient, removeLabDirs, vcard, type SyncRun } from '../support/syncevolution.ts';
import { addRecord, deleteRecord, editRecord, namesOf, openContacts, recordsOf } from '../support/contacts.ts';
import { seedDemo } from '../../core/demo.ts';

test.after.always(async () => {
  removeLabDirs();
  await closeTestPortals();
});

/** Several messages each way: the client takes messages of at most 10 KB, and both sides have many contacts. */
const SMALL = { env: { MAX_MSG_SIZE: '4000' } };
const COUNT = 80;
const pad = (i: number) => String(i).padStart(2, '0');

test('a slow sync and two-way syncs whose messages alternate between two gateway processes, then one process killed: both sides hold the same contacts, each once', async (t) => {
  t.timeout(300_000);
  const base = freshBase();
  const portal = await openTestPortal({}, base);
  await seedDemo(portal);
  await openContacts(portal, 'demo');
  for (let i = 1; i <= COUNT; i++) await addRecord(portal, 'demo', { Name: `Sid Server${pad(i)}`, 'Given name': 'Sid', 'Family name': `Server${pad(i)}`, 'Work phone': `+1-555-02${pad(i)}` });
  // Longer than the client's messages: it goes in chunks.
  await addRecord(portal, 'demo', { Name: 'Lena Long', 'Given name': 'Lena', 'Family name': 'Long', Note: 'long story '.repeat(900) });
  const gateways = [await gatewayProcess(base), await gatewayProcess(base)];
  const balancer = await startBalancer(gateways.map((g) => g.base));
  try {
    const phone = new SyncEvolutionClient(`${balancer.base}/sync`, 'demo', 'demo', 'balanced');
    for (let i = 1; i <= COUNT; i++) phone.write(`p${pad(i)}.vcf`, vcard('Pia', `Phone${pad(i)}`, `TEL;TYPE=CELL:+1-555-01${pad(i)}`));
    const ok = (run: SyncRun) => t.is(run.exit, 0, `${run.output}\n${phone.lastRun()}`);
    /** Both sides hold exactly `expected`, each once. */
    const same = async (expected: string[], message: string) => {
      t.deepEqual(await namesOf(portal, 'demo'), expected, `the server: ${message}`);
      t.deepEqual(phone.names(), expected, `the phone: ${message}`);
    };
    const all = [...Array.from({ length: COUNT }, (_, i) => [`Pia Phone${pad(i + 1)}`, `Sid Server${pad(i + 1)}`]).flat(), 'Lena Long'].sort();

    let run = await phone.sync('slow', SMALL);
    ok(run);
    await same(all, 'after the slow sync');
    t.true(balancer.served.length >= 6, `several messages: ${balancer.served.length}`);
    t.true(balancer.served.includes(0) && balancer.served.includes(1), 'both processes answered');
    const story = (await recordsOf(portal, 'demo')).find((r) => r.values.Name === 'Lena Long')!.values.Note;
    t.true(story.length > 9000);
    t.true(phone.items().get(phone.fileOf('Lena Long'))!.replace(/\r?\n /g, '').includes(`NOTE:${story}\r\n`), 'the long contact arrived whole');

    // Changes on both sides, then a two-way sync.
    phone.write('p81.vcf', vcard('Pia', 'Phone81'));
    phone.write(phone.fileOf('Pia Phone01'), vcard('Pia', 'Phone01', 'TEL;TYPE=CELL:+1-555-9999'));
    phone.remove(phone.fileOf('Sid Server02'));
    await addRecord(portal, 'demo', { Name: 'Sid Server81', 'Given name': 'Sid', 'Family name': 'Server81' });
    await editRecord(portal, 'demo', 'Sid Server03', { 'Work phone': '+1-555-8888' });
    await deleteRecord(portal, 'demo', 'Pia Phone04');
    run = await phone.sync('two-way', SMALL);
    ok(run);
    const changed = [...all.filter((n) => n !== 'Sid Server02' && n !== 'Pia Phone04'), 'Pia Phone81', 'Sid Server81'].sort();
    await same(changed, 'after the two-way sync');
    t.is((await recordsOf(portal, 'demo')).find((r) => r.values.Name === 'Pia Phone01')!.values.Mobile, '+1-555-9999');
    t.regex(phone.items().get(phone.fileOf('Sid Server03'))!, /\+1-555-8888/);

    // One process dies between syncs; the next sync goes through the other.
    gateways[0].child.kill('SIGKILL');
    await new Promise((resolve) => gateways[0].child.once('exit', resolve));
    phone.write('p82.vcf', vcard('Pia', 'Phone82'));
    await addRecord(portal, 'demo', { Name: 'Sid Server82', 'Given name': 'Sid', 'Family name': 'Server82' });
    const before = balancer.served.length;
    run = await phone.sync('two-way', SMALL);
    ok(run);
    t.deepEqual(run.local, { added: 1, updated: 0, deleted: 0, errors: 0 });
    t.deepEqual(run.remote, { added: 1, updated: 0, deleted: 0, errors: 0 });
    await same([...changed, 'Pia Phone82', 'Sid Server82'].sort(), 'after a process died');
    t.deepEqual([...new Set(balancer.served.slice(before))], [1], 'the survivor answered');
    t.deepEqual(await portal.dispatch.store.all('SELECT token FROM syncml_sessions'), [], 'every session ended and was removed');
  } finally {
    await balancer.close();
    for (const g of gateways) g.child.kill('SIGTERM');
    await closeTestPortal(portal);
  }
});
