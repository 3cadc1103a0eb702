// Notices that reach a phone and a mailbox through real peers: Kannel's smsbox with fakesmsc as
// the SMS centre, and the mail lab's Postfix delivering into a Maildir.
import test from 'ava';
import { closeTestPortals, openTestPortal } from '../../support/system.ts';
import { startSmsLab } from '../../support/sms.ts';
import { LAB, delivered, labUser } from '../../support/mail-lab.ts';
import { Watchdog } from '../../../core/alarms/watchdog.ts';
import { smsChannel } from '../../../core/alarms/sms.ts';
import { emailChannel } from '../../../core/alarms/email.ts';
import { gsmLength } from '../../../transcode/gsm.ts';

test.after.always(closeTestPortals);

const PUBLIC = 'http://gw.example:8080';

async function cellarWithAlarm(event: string, dbName = 'Wine cellar') {
  const portal = await openTestPortal();
  await portal.addCell('c1', 10);
  const ann = await portal.register('ann', 'secret', 'Ann');
  const ref = await portal.createDatabase(ann, dbName);
  const name = (await portal.addField(ann, ref, { name: 'Vineyard', type: 'text' })).id;
  const drink = (await portal.addField(ann, ref, { name: 'Drink from', type: 'alarm', watch: '', event })).id;
  return { portal, ann, ref, name, drink };
}

test('an SMS alarm arrives at the SMS centre through real Kannel, in GSM characters with its link', async (t) => {
  const lab = await startSmsLab();
  try {
    // The euro sign and brackets (extension table) count twice: this name takes 75 of the 160.
    const { portal, ann, ref, name, drink } = await cellarWithAlarm('sms', `Cave [${'€'.repeat(33)}]`);
    await (await portal.alarms(ann)).setContact(ann, { email: '', phone: '+33612345678' });
    // Accents GSM lacks lose them.
    await portal.createRecord(ann, ref, { [name]: 'Château Margaux 1998, a name too long to fit whole in an SMS', [drink]: '2026-01-01' });
    const dog = new Watchdog((await portal.cell('c1')).store, { sms: smsChannel({ sendsmsUrl: lab.sendsmsUrl, publicUrl: PUBLIC }) }, { now: () => Date.parse('2026-12-01T00:00:00Z') });
    t.like(await dog.tick(), { fired: 1, delivered: 1 });
    const [sms] = await lab.waitFor(1);
    const [notice] = (await (await portal.alarms(ann)).notices(ann, 0, 1)).items;
    t.is(sms.to, '+33612345678');
    t.is(sms.from, '4242');
    const link = `${PUBLIC}/a/${notice.id}`;
    t.true(sms.text.startsWith(`[alarm] Cave [${'€'.repeat(33)}]: Chateau Margaux 1998, a name`), sms.text);
    t.true(sms.text.endsWith(`... ${link}`), 'cut before the link, which stays whole');
    t.is(gsmLength(sms.text), 160, 'exactly one SMS');
    t.is(notice.delivery, 'sent');
  } finally {
    await lab.stop();
  }
});

test('an SMS alarm whose smsbox is down is retried, and arrives once it is back', async (t) => {
  const { portal, ann, ref, name, drink } = await cellarWithAlarm('sms');
  await (await portal.alarms(ann)).setContact(ann, { email: '', phone: '+4477000000' });
  await portal.createRecord(ann, ref, { [name]: 'Latour', [drink]: '2026-01-01' });
  let clock = Date.parse('2026-12-01T00:00:00Z');
  const lab = await startSmsLab();
  try {
    const down = smsChannel({ sendsmsUrl: lab.sendsmsUrl.replace(/:\d+\//, ':1/'), publicUrl: PUBLIC, timeoutMs: 2000 });
    const up = smsChannel({ sendsmsUrl: lab.sendsmsUrl, publicUrl: PUBLIC });
    let channel = down;
    const dog = new Watchdog((await portal.cell('c1')).store, { sms: { send: (a, n) => channel.send(a, n) } }, { now: () => clock, backoffMs: 1000 });
    t.like(await dog.tick(), { fired: 1, retried: 1 });
    t.like((await (await portal.alarms(ann)).notices(ann, 0, 1)).items[0], { delivery: 'pending', attempts: 1 });
    channel = up;
    clock += 1000;
    t.like(await dog.tick(), { delivered: 1 });
    const arrived = await lab.waitFor(1);
    t.is(arrived.length, 1);
    t.regex(arrived[0].text, /^\[alarm\] Wine cellar: Latour, Drink from 2026-01-01 http:\/\/gw\.example:8080\/a\/\d+$/);
  } finally {
    await lab.stop();
  }
});

test('an email alarm is delivered by the real Postfix into the mailbox', async (t) => {
  const box = await labUser('alarm');
  const { portal, ann, ref, name, drink } = await cellarWithAlarm('email');
  await (await portal.alarms(ann)).setContact(ann, { email: box.address, phone: '' });
  await portal.createRecord(ann, ref, { [name]: 'Château Margaux', [drink]: '2026-01-01' });
  const mail = emailChannel({ smtpUrl: `smtp://${LAB.host}:${LAB.smtp}`, from: 'alarms@lab.test', publicUrl: PUBLIC });
  const dog = new Watchdog((await portal.cell('c1')).store, { email: mail }, { now: () => Date.parse('2026-12-01T00:00:00Z') });
  t.like(await dog.tick(), { fired: 1, delivered: 1 });
  const [notice] = (await (await portal.alarms(ann)).notices(ann, 0, 1)).items;
  const messages = await delivered(box, 1);
  t.is(messages.length, 1, 'exactly one message');
  const message = messages[0];
  t.regex(message, /^From: alarms@lab\.test$/m);
  t.regex(message, new RegExp(`^To: ${box.address}$`, 'm'));
  t.regex(message, /^Subject: =\?UTF-8\?/m, 'the accented subject is MIME-encoded');
  t.regex(message, /^Auto-Submitted: auto-generated$/m);
  t.true(message.includes(`${PUBLIC}/a/${notice.id}`));
  t.regex(message, /Wine cellar: Ch(=C3=A2|â)teau Margaux, Drink from 2026-01-01/);
});

test('an alarm of a database in the locker goes out by SMS and email without naming anything in it', async (t) => {
  const [lab, box] = await Promise.all([startSmsLab(), labUser('locked')]);
  try {
    const { portal, ann, ref, name, drink } = await cellarWithAlarm('sms', 'Secret cellar');
    const email = (await portal.addField(ann, ref, { name: 'Mail me', type: 'alarm', watch: '', event: 'email' })).id;
    await (await portal.alarms(ann)).setContact(ann, { email: box.address, phone: '+33612345678' });
    await portal.createRecord(ann, ref, { [name]: 'Château Margaux', [drink]: '2026-01-01', [email]: '2026-01-01' });
    await portal.setLocker(ann, 'locker-pw');
    await portal.lock(ann, ref);
    const channels = { sms: smsChannel({ sendsmsUrl: lab.sendsmsUrl, publicUrl: PUBLIC }), email: emailChannel({ smtpUrl: `smtp://${LAB.host}:${LAB.smtp}`, from: 'alarms@lab.test', publicUrl: PUBLIC }) };
    const dog = new Watchdog((await portal.cell('c1')).store, channels, { now: () => Date.parse('2026-12-01T00:00:00Z') });
    t.like(await dog.tick(), { fired: 2, delivered: 2 });
    const ids = (await (await portal.alarms(ann)).notices(ann, 0, 2)).items.map((n) => n.id);
    const [sms] = await lab.waitFor(1);
    t.regex(sms.text, /^\[alarm\] An alarm in a locked database http:\/\/gw\.example:8080\/a\/(\d+)$/);
    t.true(ids.includes(Number(/\/a\/(\d+)$/.exec(sms.text)![1])));
    const [mail] = await delivered(box, 1);
    t.regex(mail, /^Subject: \[alarm\] An alarm in a locked database$/m);
    t.regex(mail, /http:\/\/gw\.example:8080\/a\/\d+/);
    t.notRegex(mail, /Secret|Margaux|Drink from/, 'nothing of the locked database');
  } finally {
    await lab.stop();
  }
});
