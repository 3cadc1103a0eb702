// SyncEvolution as a phone's or desktop PIM's SyncML client against our server at /sync, in
// every sync type: the contacts on both sides afterwards are what the user expects.
import test from 'ava';
import { startGateway, type Running } from '../support/client.ts';
import { closeTestPortals } from '../support/system.ts';
import { SyncEvolutionClient, removeLabDirs, vcard, type SyncRun } from '../support/syncevolution.ts';
import { addRecord, deleteRecord, editRecord, namesOf, openContacts, recordsOf } from '../support/contacts.ts';

test.after.always(async () => {
  removeLabDirs();
  await closeTestPortals();
});

const ok = (t: { is: (a: unknown, b: unknown, m?: string) => void }, run: SyncRun, client: SyncEvolutionClient) => t.is(run.exit, 0, `${run.output}\n${client.lastRun()}`);

async function lab(label: string): Promise<{ gw: Running; phone: SyncEvolutionClient }> {
  const gw = await startGateway();
  return { gw, phone: new SyncEvolutionClient(`${gw.base}/sync`, 'demo', 'demo', label) };
}

test('a first slow sync pairs identical contacts, then two-way syncs carry adds, edits and deletes both ways', async (t) => {
  t.timeout(120_000);
  const { gw, phone } = await lab('twoway');
  try {
    phone.write('carla.vcf', vcard('Carla', 'Client', 'TEL;TYPE=CELL:+1-555-0101'));
    phone.write('dana.vcf', vcard('Dana', 'Duplicate', 'EMAIL;TYPE=INTERNET:dana@example.org'));
    // The server knows Dana already (same fields), and Sam.
    await openContacts(gw.portal, 'demo');
    await addRecord(gw.portal, 'demo', { Name: 'Sam Server', 'Given name': 'Sam', 'Family name': 'Server', 'Work phone': '+1-555-0202' });
    await addRecord(gw.portal, 'demo', { Name: 'Dana Duplicate', 'Given name': 'Dana', 'Family name': 'Duplicate', 'E-mail': 'dana@example.org' });
    let run = await phone.sync('slow');
    ok(t, run, phone);
    t.deepEqual(await namesOf(gw.portal, 'demo'), ['Carla Client', 'Dana Duplicate', 'Sam Server'], 'Dana, on both sides, is paired and not doubled');
    t.deepEqual(phone.names(), ['Carla Client', 'Dana Duplicate', 'Sam Server']);

    // Changes on both sides between syncs.
    phone.write('eve.vcf', vcard('Eve', 'Early', 'TEL;TYPE=HOME:+1-555-0303'));
    phone.remove(phone.fileOf('Dana Duplicate'));
    await editRecord(gw.portal, 'demo', 'Sam Server', { 'Work phone': '+1-555-9999' });
    await addRecord(gw.portal, 'demo', { Name: 'Stan Server', 'Given name': 'Stan', 'Family name': 'Server' });
    run = await phone.sync('two-way');
    ok(t, run, phone);
    t.deepEqual(await namesOf(gw.portal, 'demo'), ['Carla Client', 'Eve Early', 'Sam Server', 'Stan Server']);
    t.deepEqual(phone.names(), ['Carla Client', 'Eve Early', 'Sam Server', 'Stan Server']);
    t.regex(phone.items().get(phone.fileOf('Sam Server'))!, /\+1-555-9999/, 'the edit made on the server reached the phone');
    t.deepEqual(run.local, { added: 1, updated: 1, deleted: 0, errors: 0 });

    // An edit on the phone, a deletion on the server.
    phone.write(phone.fileOf('Carla Client'), vcard('Carla', 'Client', 'TEL;TYPE=CELL:+1-555-0111', 'NOTE:met in Bern'));
    await deleteRecord(gw.portal, 'demo', 'Stan Server');
    run = await phone.sync('two-way');
    ok(t, run, phone);
    const carla = (await recordsOf(gw.portal, 'demo')).find((r) => r.values.Name === 'Carla Client')!;
    t.is(carla.values.Mobile, '+1-555-0111');
    t.is(carla.values.Note, 'met in Bern');
    t.deepEqual(phone.names(), ['Carla Client', 'Eve Early', 'Sam Server']);

    // Nothing changed: nothing moves.
    run = await phone.sync('two-way');
    ok(t, run, phone);
    t.deepEqual(run.local, { added: 0, updated: 0, deleted: 0, errors: 0 });
    t.deepEqual(run.remote, { added: 0, updated: 0, deleted: 0, errors: 0 });
  } finally {
    await gw.close();
  }
});
