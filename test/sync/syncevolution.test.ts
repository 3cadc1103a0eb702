// SyncEvolution as a phone's or desktop PIM's SyncML client against our server at /sync, in
// every sync type: the contacts on both sides afterwards are what the user expects.
import test from 'ava';
import { startGateway, type Running } from '../support/client.ts';
import { closeTestPortals } from '../support/system.ts';
import { SyncEvolutionClient, removeLabDirs, vcard, type SyncRun } from '../support/syncevolution.ts';
import { actorOf, addRecord, deleteRecord, editRecord, namesOf, openCalendar, openContacts, recordsOf } from '../support/contacts.ts';
import { setConflictPolicy } from '../../core/sync/accounts.ts';
import { Cutter } from '../support/cutter.ts';
import { MAX_TEXT } from '../../core/cell/fields.ts';
import { CALENDAR, CONTACTS } from '../../core/sync/datastores.ts';

test.after.always(async () => {
  removeLabDirs();
  await closeTestPortals();
});

const ok = (t: { is: (a: unknown, b: unknown, m?: string) => void }, run: SyncRun, client: SyncEvolutionClient) => t.is(run.exit, 0, `${run.output}\n${client.lastRun()}`);

/** A fresh gateway and a SyncEvolution client of demo's, closed after `fn`. */
async function withLab(label: string, fn: (gw: Running, phone: SyncEvolutionClient) => Promise<void>): Promise<void> {
  const gw = await startGateway();
  try {
    await fn(gw, new SyncEvolutionClient(`${gw.base}/sync`, 'demo', 'demo', label));
  } finally {
    await gw.close();
  }
}

test('a first slow sync pairs identical contacts, then two-way syncs carry adds, edits and deletes both ways', async (t) => {
  t.timeout(120_000);
  await withLab('twoway', async (gw, phone) => {
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
  });
});

test('one-way and refresh syncs each way do what their names say, and the two-way sync after them doubles nothing', async (t) => {
  t.timeout(180_000);
  await withLab('modes', async (gw, phone) => {
  await openContacts(gw.portal, 'demo');
  await addRecord(gw.portal, 'demo', { Name: 'Sam Server', 'Family name': 'Server', 'Given name': 'Sam' });
  phone.write('carla.vcf', vcard('Carla', 'Client'));
  ok(t, await phone.sync('slow'), phone);

  // One way from the phone: its new contact arrives, the server's stays back.
  phone.write('cole.vcf', vcard('Cole', 'Client'));
  await addRecord(gw.portal, 'demo', { Name: 'Seth Server', 'Family name': 'Server', 'Given name': 'Seth' });
  let run = await phone.sync('one-way-from-client');
  ok(t, run, phone);
  t.deepEqual(await namesOf(gw.portal, 'demo'), ['Carla Client', 'Cole Client', 'Sam Server', 'Seth Server']);
  t.deepEqual(phone.names(), ['Carla Client', 'Cole Client', 'Sam Server']);

  // One way from the server (SyncEvolution alerts 200 with an empty Sync): Seth comes, Cora stays back.
  phone.write('cora.vcf', vcard('Cora', 'Client'));
  run = await phone.sync('one-way-from-server');
  ok(t, run, phone);
  t.deepEqual(phone.names(), ['Carla Client', 'Cole Client', 'Cora Client', 'Sam Server', 'Seth Server']);
  t.deepEqual(await namesOf(gw.portal, 'demo'), ['Carla Client', 'Cole Client', 'Sam Server', 'Seth Server']);

  // Two-way after that: the held-back contact arrives; what the phone received is not doubled.
  run = await phone.sync('two-way');
  ok(t, run, phone);
  const all = ['Carla Client', 'Cole Client', 'Cora Client', 'Sam Server', 'Seth Server'];
  t.deepEqual(await namesOf(gw.portal, 'demo'), all);
  t.deepEqual(phone.names(), all);

  // Refresh from the phone: the server becomes a copy of it.
  await addRecord(gw.portal, 'demo', { Name: 'Otto Only', 'Given name': 'Otto' });
  phone.remove(phone.fileOf('Sam Server'));
  run = await phone.sync('refresh-from-client');
  ok(t, run, phone);
  const phoneSet = ['Carla Client', 'Cole Client', 'Cora Client', 'Seth Server'];
  t.deepEqual(await namesOf(gw.portal, 'demo'), phoneSet);

  // Refresh from the server, as SyncEvolution sends it by default (wipe, then alert 201)…
  phone.write('pia.vcf', vcard('Pia', 'Phone'));
  await addRecord(gw.portal, 'demo', { Name: 'Rita Server', 'Given name': 'Rita' });
  run = await phone.sync('refresh-from-server');
  ok(t, run, phone);
  const serverSet = ['Carla Client', 'Cole Client', 'Cora Client', 'Rita Server', 'Seth Server'];
  t.deepEqual(phone.names(), serverSet);
  t.deepEqual(await namesOf(gw.portal, 'demo'), serverSet);

  // …and as alert 205.
  phone.write('pia.vcf', vcard('Pia', 'Phone'));
  run = await phone.sync('refresh-from-server', { env: { REFRESH_SYNC: '1' } });
  ok(t, run, phone);
  t.deepEqual(phone.names(), serverSet);
  t.deepEqual(await namesOf(gw.portal, 'demo'), serverSet);

  // The anchors are right after every one of them: a two-way sync now is not turned slow.
  run = await phone.sync('two-way');
  ok(t, run, phone);
  t.deepEqual(run.local, { added: 0, updated: 0, deleted: 0, errors: 0 });
  t.deepEqual(await namesOf(gw.portal, 'demo'), serverSet);
  });
});

test('a vCard 2.1 phone sends quoted-printable UTF-8 and receives 2.1 cards', async (t) => {
  t.timeout(120_000);
  await withLab('vcard21', async (gw, phone) => {
  await openContacts(gw.portal, 'demo');
  await addRecord(gw.portal, 'demo', { Name: 'Sam Server', 'Given name': 'Sam', 'Family name': 'Server', Mobile: '+1-555-0202' });
  const zoe = ['BEGIN:VCARD', 'VERSION:2.1', 'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;Zo=C3=AB', 'FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Zo=C3=AB M=C3=BCller', 'TEL;CELL:+41-79-555', 'X-FAVOURITE-WINE:Margaux', 'END:VCARD', ''].join('\n');
  phone.write('zoe.vcf', zoe);
  const run = await phone.sync('slow', { env: { FORMAT: 'vcard21' } });
  ok(t, run, phone);
  const got = (await recordsOf(gw.portal, 'demo')).find((r) => r.values['Family name'] === 'Müller');
  t.truthy(got, 'the quoted-printable name is read as UTF-8');
  t.is(got!.values.Mobile, '+41-79-555');
  t.regex(phone.items().get(phone.fileOf('Sam Server'))!, /VERSION:2\.1/);
  });
});

const POLICY_CASES = [
  { policy: 'duplicate', label: 'keeps both versions' },
  { policy: 'ours', label: 'keeps the server version' },
  { policy: 'theirs', label: 'keeps the phone version' },
] as const;

for (const { policy, label } of POLICY_CASES) {
  test(`a contact edited on both sides between syncs: the conflict policy "${policy}" ${label}`, async (t) => {
    t.timeout(120_000);
    await withLab(`conflict-${policy}`, async (gw, phone) => {
    await setConflictPolicy(gw.portal, await actorOf(gw.portal, 'demo'), policy);
    phone.write('carla.vcf', vcard('Carla', 'Client', 'TEL;TYPE=CELL:+1-555-0101'));
    ok(t, await phone.sync('slow'), phone);
    phone.write('carla.vcf', vcard('Carla', 'Client', 'TEL;TYPE=CELL:+1-555-7777'));
    await editRecord(gw.portal, 'demo', 'Carla Client', { Note: 'edited on the server' });
    const run = await phone.sync('two-way');
    ok(t, run, phone);
    const server = (await recordsOf(gw.portal, 'demo')).map((r) => `${r.values.Mobile}|${r.values.Note ?? ''}`).sort();
    const onPhone = [...phone.items().values()].map((v) => `${/TEL[^:]*:(.*)\r?\n/.exec(v)?.[1].trim()}|${/NOTE:(.*)\r?\n/.exec(v)?.[1].trim() ?? ''}`).sort();
    const expected = {
      duplicate: ['+1-555-0101|edited on the server', '+1-555-7777|'],
      ours: ['+1-555-0101|edited on the server'],
      theirs: ['+1-555-7777|'],
    }[policy];
    t.deepEqual(server, expected);
    t.deepEqual(onPhone, expected, 'the phone ends with the same contacts');
    // And the sync after is quiet: the conflict is settled on both sides.
    const again = await phone.sync('two-way');
    ok(t, again, phone);
    t.deepEqual(again.local, { added: 0, updated: 0, deleted: 0, errors: 0 });
    });
  });
}

test('a wrong password gets 401 and changes nothing; SyncML 1.1 with basic credentials syncs', async (t) => {
  t.timeout(120_000);
  const gw = await startGateway();
  try {
    await openContacts(gw.portal, 'demo');
    const intruder = new SyncEvolutionClient(`${gw.base}/sync`, 'demo', 'WRONG', 'intruder');
    intruder.write('x.vcf', vcard('Mallory', 'Intruder'));
    const refused = await intruder.sync('slow');
    t.not(refused.exit, 0);
    t.regex(intruder.lastRun(), /401/);
    t.deepEqual(await namesOf(gw.portal, 'demo'), []);
    // SyncEvolution retries a 401 a few times, each a failed login: past the free ones the login
    // waits out a short delay, as a web login would. The owner comes back once it is over.
    await throttleOver(gw);

    const old = new SyncEvolutionClient(`${gw.base}/sync`, 'demo', 'demo', 'v11');
    old.write('carla.vcf', vcard('Carla', 'Client'));
    const run = await old.sync('slow', { env: { SYNCML_VERSION: '1.1', AUTH: 'basic', DEVICE_ID: 'lab-v11' } });
    ok(t, run, old);
    t.deepEqual(await namesOf(gw.portal, 'demo'), ['Carla Client']);
    // The next session of that phone uses MD5 (the server's challenge), and still gets in.
    old.write('dora.vcf', vcard('Dora', 'Client'));
    ok(t, await old.sync('two-way', { env: { SYNCML_VERSION: '1.1', AUTH: 'basic', DEVICE_ID: 'lab-v11' } }), old);
    t.deepEqual(await namesOf(gw.portal, 'demo'), ['Carla Client', 'Dora Client']);
  } finally {
    await gw.close();
  }
});

/** Waits (at most 30 s) until demo's SyncML logins are no longer held back. */
async function throttleOver(gw: Running): Promise<void> {
  for (const started = Date.now(); ; await new Promise((r) => setTimeout(r, 250))) {
    try {
      return await gw.portal.throttle.check(['sync:demo']);
    } catch (err) {
      if (Date.now() - started > 30_000) throw err;
    }
  }
}

const note = (i: number) => `NOTE:${`contact ${i} `.repeat(60)}`;

for (const direction of ['from the phone', 'from the server'] as const) {
  test(`a sync cut off mid-package ${direction} and run again leaves no duplicate and loses nothing`, async (t) => {
    t.timeout(180_000);
    const gw = await startGateway();
    const cutter = await Cutter.start(gw.base);
    try {
      const phone = new SyncEvolutionClient(`http://127.0.0.1:${cutter.port}/sync`, 'demo', 'demo', 'cut');
      phone.write('carla.vcf', vcard('Carla', 'Client'));
      ok(t, await phone.sync('slow'), phone);
      const names = ['Carla Client'];
      for (let i = 0; i < 40; i++) {
        const given = `Person${String(i).padStart(2, '0')}`;
        names.push(`${given} Many`);
        if (direction === 'from the phone') phone.write(`p${i}.vcf`, vcard(given, 'Many', note(i)));
        else await addRecord(gw.portal, 'demo', { Name: `${given} Many`, 'Given name': given, 'Family name': 'Many', Note: note(i).slice(5) });
      }
      names.sort();
      // Messages of about 10 KB (SyncEvolution's floor): the 40 contacts take several. The answer to
      // the third message (the second of the changes) never reaches the phone.
      const small = { MAX_MSG_SIZE: '4000' };
      cutter.cutAfter(3);
      const cut = await phone.sync('two-way', { env: small, timeout: 60 });
      t.true(cutter.wasCut, 'the proxy cut the session');
      t.not(cut.exit, 0, 'the phone saw the sync fail');
      cutter.pass();
      const again = await phone.sync('two-way', { env: small });
      ok(t, again, phone);
      t.deepEqual(await namesOf(gw.portal, 'demo'), names, 'the server holds each contact once');
      t.deepEqual(phone.names(), names, 'the phone holds each contact once');
      // SyncEvolution resumes the cut session (alert 225) and holds back what it had sent in it for
      // the next session, which sends those again as adds: they are paired with what we hold.
      const next = await phone.sync('two-way', { env: small });
      ok(t, next, phone);
      t.deepEqual(await namesOf(gw.portal, 'demo'), names, 'adds sent again are not doubled');
      t.deepEqual(phone.names(), names);
      const quiet = await phone.sync('two-way', { env: small });
      ok(t, quiet, phone);
      t.deepEqual(quiet.local, { added: 0, updated: 0, deleted: 0, errors: 0 });
      t.deepEqual(quiet.remote, { added: 0, updated: 0, deleted: 0, errors: 0 });
    } finally {
      await cutter.close();
      await gw.close();
    }
  });
}

const ical = (uid: string, summary: string, start: string, ...lines: string[]) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//lab//test//EN', 'BEGIN:VEVENT', `UID:${uid}`, `SUMMARY:${summary}`, `DTSTART:${start}`, `DTEND:${start.replace(/T(\d\d)/, (_, h) => `T${String(Number(h) + 1).padStart(2, '0')}`)}`, ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\n');

test('events in iCalendar 2.0: slow sync, edits on both sides, a deletion', async (t) => {
  t.timeout(120_000);
  await withLab('ical', async (gw, phone) => {
  const ical20 = { env: { FORMAT: 'ical20' } };
  phone.write('dentist.ics', ical('dentist-1', 'Dentist', '20261202T090000Z', 'LOCATION:Main street 1'));
  phone.write('review.ics', ical('review-1', 'Review', '20261203T140000Z', 'CATEGORIES:Work'));
  ok(t, await phone.sync('slow', ical20), phone);
  const events = await recordsOf(gw.portal, 'demo', 'Calendar');
  const dentist = events.find((e) => e.values.Title === 'Dentist')!;
  t.is(dentist.values.Start, '2026-12-02T09:00:00Z');
  t.is(dentist.values.Location, 'Main street 1');

  await editRecord(gw.portal, 'demo', 'Dentist', { Location: 'Station road 9' }, 'Calendar', 'Title');
  await addRecord(gw.portal, 'demo', { Title: 'Lunch', Start: '2026-12-04T12:00:00Z', End: '2026-12-04T13:00:00Z' }, 'Calendar');
  phone.write('review.ics', ical('review-1', 'Review (moved)', '20261203T150000Z', 'CATEGORIES:Work'));
  let run = await phone.sync('two-way', ical20);
  ok(t, run, phone);
  t.deepEqual(await namesOf(gw.portal, 'demo', 'Calendar', 'Title'), ['Dentist', 'Lunch', 'Review (moved)']);
  t.deepEqual(phone.names(), ['Dentist', 'Lunch', 'Review (moved)']);
  t.regex(phone.items().get(phone.fileOf('Dentist'))!, /LOCATION:Station road 9/);
  t.regex(phone.items().get(phone.fileOf('Dentist'))!, /UID:dentist-1/, 'the UID the phone gave is kept');

  phone.remove(phone.fileOf('Lunch'));
  run = await phone.sync('two-way', ical20);
  ok(t, run, phone);
  t.deepEqual(await namesOf(gw.portal, 'demo', 'Calendar', 'Title'), ['Dentist', 'Review (moved)']);
  // An edit made on the server gives back what no field holds.
  await editRecord(gw.portal, 'demo', 'Review (moved)', { Description: 'bring slides' }, 'Calendar', 'Title');
  ok(t, await phone.sync('two-way', ical20), phone);
  t.regex(phone.items().get(phone.fileOf('Review \\(moved\\)'))!, /CATEGORIES:Work/);
  });
});

test('a vCalendar 1.0 phone syncs events too', async (t) => {
  t.timeout(120_000);
  await withLab('vcal', async (gw, phone) => {
  await openCalendar(gw.portal, 'demo');
  await addRecord(gw.portal, 'demo', { Title: 'Opera', Start: '2026-12-10T19:30:00Z', End: '2026-12-10T22:00:00Z' }, 'Calendar');
  phone.write('gym.vcs', ['BEGIN:VCALENDAR', 'VERSION:1.0', 'BEGIN:VEVENT', 'SUMMARY:Gym', 'DTSTART:20261205T070000Z', 'DTEND:20261205T080000Z', 'END:VEVENT', 'END:VCALENDAR', ''].join('\n'));
  ok(t, await phone.sync('slow', { env: { FORMAT: 'vcal10' } }), phone);
  t.deepEqual(await namesOf(gw.portal, 'demo', 'Calendar', 'Title'), ['Gym', 'Opera']);
  t.deepEqual(phone.names(), ['Gym', 'Opera']);
  t.regex(phone.items().get(phone.fileOf('Opera'))!, /VERSION:1\.0/);
  });
});

test('a phone speaking WBXML syncs the same way', async (t) => {
  t.timeout(120_000);
  await withLab('wbxml', async (gw, phone) => {
  const wbxml = { env: { WBXML: '1', DEVICE_ID: 'lab-wbxml' } };
  await openContacts(gw.portal, 'demo');
  await addRecord(gw.portal, 'demo', { Name: 'Sam Server', 'Given name': 'Sam', 'Family name': 'Server' });
  phone.write('carla.vcf', vcard('Carla', 'Client', 'NOTE:Grüße & <tags>'));
  ok(t, await phone.sync('slow', wbxml), phone);
  t.deepEqual(await namesOf(gw.portal, 'demo'), ['Carla Client', 'Sam Server']);
  t.is((await recordsOf(gw.portal, 'demo')).find((r) => r.values.Name === 'Carla Client')!.values.Note, 'Grüße & <tags>');
  await editRecord(gw.portal, 'demo', 'Sam Server', { Mobile: '+1-555-4242' });
  phone.remove(phone.fileOf('Carla Client'));
  ok(t, await phone.sync('two-way', wbxml), phone);
  t.deepEqual(await namesOf(gw.portal, 'demo'), ['Sam Server']);
  t.regex(phone.items().get(phone.fileOf('Sam Server'))!, /\+1-555-4242/);
  });
});

test('a contact larger than the phone takes in a message goes as a large object in chunks, and arrives whole', async (t) => {
  t.timeout(120_000);
  await withLab('large', async (gw, phone) => {
    await openContacts(gw.portal, 'demo');
    const note = 'n'.repeat(9_000);
    const street = 's'.repeat(9_000);
    await addRecord(gw.portal, 'demo', { Name: 'Bigge Note', 'Given name': 'Bigge', 'Family name': 'Note', Note: note, Street: street });
    await addRecord(gw.portal, 'demo', { Name: 'Small Sam', 'Given name': 'Sam', 'Family name': 'Small' });
    // SyncEvolution announces 10,240 bytes for a configured 4,000: the contact is near 20 KB.
    ok(t, await phone.sync('slow', { env: { MAX_MSG_SIZE: '4000' } }), phone);
    t.deepEqual(phone.names(), ['Bigge Note', 'Small Sam']);
    const card = phone.items().get(phone.fileOf('Bigge Note'))!.replace(/\r?\n[ \t]/g, '');
    t.true(card.includes(`NOTE:${note}`), 'the whole note arrived');
    t.true(card.includes(street), 'the whole street arrived');
    // And back: the phone's next two-way sync has nothing to send or take.
    const again = await phone.sync('two-way', { env: { MAX_MSG_SIZE: '4000' } });
    ok(t, again, phone);
    t.deepEqual(again.local, { added: 0, updated: 0, deleted: 0, errors: 0 });
  });
});

/** A note as a vCard 3.0 property value: backslash, line break, comma and semicolon escaped. */
const noteValue = (text: string) => text.replace(/[\\,;]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');

test('a desktop PIM sends a contact with a 40 KB note: stored whole, given back identical; one past the cap is refused (413) alone and changes nothing', async (t) => {
  t.timeout(180_000);
  await withLab('longnote', async (gw, pim) => {
    const long = Array.from({ length: 1200 }, (_, i) => `Minutes ${i}; agreed, été 日本語 "quoted" \\ done.`).join('\n');
    t.true(long.length >= 40_000 && long.length <= MAX_TEXT, `${long.length} characters`);
    pim.write('long.vcf', vcard('Bigge', 'Note', `NOTE:${noteValue(long)}`));
    pim.write('small.vcf', vcard('Sam', 'Small'));
    // Small messages: the contact goes in chunks.
    const small = { MAX_MSG_SIZE: '4000' };
    ok(t, await pim.sync('slow', { env: small }), pim);
    const stored = (await recordsOf(gw.portal, 'demo')).find((r) => r.values.Name === 'Bigge Note')!;
    t.is(stored.values.Note, long, 'stored whole');
    t.deepEqual(await namesOf(gw.portal, 'demo'), ['Bigge Note', 'Sam Small']);

    // Another device of the user's gets it from the server, identical.
    const phone = new SyncEvolutionClient(`${gw.base}/sync`, 'demo', 'demo', 'longnote-phone');
    ok(t, await phone.sync('slow', { env: { ...small, DEVICE_ID: 'lab-phone' } }), phone);
    t.is(CONTACTS.decode(phone.items().get(phone.fileOf('Bigge Note'))!, 'text/vcard').values.Note, long, 'given back identical');

    // A note past the cap: that contact is refused as too large, the other change of the same
    // message is stored. (The Synthesis engine ends its session on any 4xx for an item but 404,
    // 410, 415, 417, 418 and 420, so SyncEvolution reports the sync failed, and sends the contact
    // again next time: it keeps it, nothing is lost.)
    pim.write('long.vcf', vcard('Bigge', 'Note', `NOTE:${'x'.repeat(MAX_TEXT + 1)}`));
    pim.write('small.vcf', vcard('Sam', 'Small', 'TEL;TYPE=CELL:+1-555-0123'));
    const refused = await pim.sync('two-way');
    t.not(refused.exit, 0);
    t.regex(refused.output, /request entity too large \(remote, status 413\)/);
    const after = await recordsOf(gw.portal, 'demo');
    t.is(after.find((r) => r.values.Name === 'Bigge Note')!.values.Note, long, 'the stored note is unchanged');
    t.is(after.find((r) => r.values.Name === 'Sam Small')!.values.Mobile, '+1-555-0123', 'the other change is stored');
  });
});

for (const wbxml of [false, true]) {
  test(`an event with a 40 KB description goes to the server in chunks${wbxml ? ' of WBXML' : ''} and to another device identical`, async (t) => {
    t.timeout(120_000);
    await withLab('longevent', async (gw, pim) => {
      const long = Array.from({ length: 1000 }, (_, i) => `Item ${i}; owner: Ann, due 2026-12-${String(1 + (i % 28)).padStart(2, '0')} – 日本語.`).join('\n');
      t.true(long.length >= 40_000 && long.length <= MAX_TEXT, `${long.length} characters`);
      // Small messages: the event goes in chunks, which the Synthesis engine cuts inside characters.
      const env = { FORMAT: 'ical20', MAX_MSG_SIZE: '4000', ...(wbxml ? { WBXML: '1' } : {}) };
      pim.write('plan.ics', ical('plan-1', 'Planning', '20261202T090000Z', `DESCRIPTION:${noteValue(long)}`));
      ok(t, await pim.sync('slow', { env }), pim);
      t.is((await recordsOf(gw.portal, 'demo', 'Calendar')).find((e) => e.values.Title === 'Planning')!.values.Description, long, 'stored whole');
      const phone = new SyncEvolutionClient(`${gw.base}/sync`, 'demo', 'demo', 'longevent-phone');
      ok(t, await phone.sync('slow', { env: { ...env, DEVICE_ID: 'lab-phone' } }), phone);
      t.is(CALENDAR.decode(phone.items().get(phone.fileOf('Planning'))!, 'text/calendar').values.Description, long, 'given back identical');
    });
  });
}
