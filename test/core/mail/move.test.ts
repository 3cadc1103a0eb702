// A user's mail moves with them to another cell (core/mail/move.ts, a part of the move): accounts
// with their passwords sealed again with the new cell's key, inbox, sent, outbox, attachments
// with their quota use, and which server message each came from; against the real Dovecot.
import test from 'ava';
import { closeTestPortals, freshBase, openTestPortal } from '../../support/system.ts';
import { checkUntil, deliver, labAccount, labUser, startMailLab } from '../../support/mail-lab.ts';
import { ATTACHED, attachmentMail, plainMail } from '../../support/mail-samples.ts';
import { moveOwner } from '../../../core/dispatch/move.ts';

test.before(async () => {
  await startMailLab();
});
test.after.always(closeTestPortals);

/** Both attachments of the first mail (30,020 bytes) fit; after them a second 30 KB photo does not. */
const QUOTA = 40_000;
/** A loopback port nothing listens on: sending there fails at once and the message stays in the outbox. */
const NOBODY = '127.0.0.1:9';

const tag = () => `mv${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

test.serial('a user with an IMAP account, stored mail and attachments is moved: all of it there once, the password still works, the old cell keeps none', async (t) => {
  const base = freshBase();
  const portal = await openTestPortal({ mail: { quota: QUOTA } }, base);
  await portal.addCell('c1', 100);
  await portal.addCell('c2', 100);
  const ann = await portal.register('ann', 'ann-pass', 'Ann');
  const bob = await portal.register('bob', 'bob-pass', 'Bob');
  t.deepEqual([ann.cellId, bob.cellId], ['c1', 'c2']);
  // Bob's account and outbox message on c2 take the ids ann's would otherwise get there.
  const bobMail = await portal.mail(bob);
  const bobAccount = await bobMail.saveAccount(bob, { name: 'Bob', address: 'bob@lab.test', protocol: 'imap', incoming: NOBODY, login: 'bob', password: 'bob-secret', outgoing: NOBODY });
  t.false((await bobMail.send(bob, { account: String(bobAccount), to: 'x@lab.test', subject: 'never', body: 'never' })).sent);

  const reader = await labUser('mv');
  const [first, second, third] = [tag(), tag(), tag()];
  await deliver(reader, attachmentMail(first), plainMail(second, 'Plain', 'Before the move.'));
  const mail = await portal.mail(ann);
  const imap = await mail.saveAccount(ann, labAccount(reader, 'imap', { name: 'Reader' }));
  const down = await mail.saveAccount(ann, labAccount(reader, 'imap', { name: 'Down', outgoing: NOBODY }));
  t.true((await mail.send(ann, { account: String(imap), to: reader.address, subject: `Sent ${third}`, body: 'to myself' })).sent);
  t.false((await mail.send(ann, { account: String(down), to: reader.address, subject: 'Waiting', body: 'stays in the outbox' })).sent);
  t.is(await checkUntil(mail, ann, imap, 3), 3, 'the two delivered and the one sent');
  const before = await mail.summary(ann);
  t.like(before, { inbox: 3, sent: 1, outbox: 1 });

  // Another gateway process whose session, directory and mail caches all predate the move.
  const other = await openTestPortal({ mail: { quota: QUOTA } }, base);
  const { session } = await other.login('ann', 'ann-pass');
  const stale = other.actorOf(session);
  t.is((await (await other.mail(stale)).summary(stale)).inbox, 3);

  await moveOwner(portal, 'ann', 'c2');

  t.is(stale.cellId, 'c1', 'the session this process holds still names the old cell');
  const moved = await other.mail(stale);
  const after = await moved.summary(stale);
  t.like(after, { inbox: 3, unread: before.unread, sent: 1, outbox: 1 });
  t.deepEqual(after.accounts.map((a) => a.name).sort(), ['Down', 'Reader']);
  const reading = after.accounts.find((a) => a.name === 'Reader')!.id;
  const inbox = async () => (await moved.folder(stale, 'inbox', 0, 100)).items;
  const subjects = (await inbox()).map((m) => m.subject).sort();
  t.deepEqual(subjects, [`Files ${first}`, `Plain ${second}`, `Sent ${third}`], 'each message once');
  t.is((await moved.folder(stale, 'outbox', 0, 10)).items[0].subject, 'Waiting');
  t.is((await moved.folder(stale, 'sent', 0, 10)).items[0].subject, `Sent ${third}`);
  const withFiles = (await inbox()).find((m) => m.subject === `Files ${first}`)!;
  const files = (await moved.message(stale, withFiles.id)).attachments;
  t.deepEqual(files.map((f) => [f.name, f.stored]), ATTACHED.files.map((f) => [f.name, true]));
  t.deepEqual((await moved.attachment(stale, files[0].id)).content, ATTACHED.files[0].content);

  // The password opens the mailbox with the new cell's key; the UIDVALIDITY/UID marks came along.
  const fourth = tag();
  await deliver(reader, attachmentMail(fourth));
  t.is(await checkUntil(moved, stale, reading, 1), 1);
  t.is(await moved.check(stale, reading), 0, 'nothing new the second time');
  t.is((await inbox()).length, 4, 'no message stored twice');
  const newFiles = (await moved.message(stale, (await inbox()).find((m) => m.subject === `Files ${fourth}`)!.id)).attachments;
  t.deepEqual(newFiles.map((f) => [f.name, f.stored]), [['notes.txt', true], ['photo.jpg', false]], 'the moved attachments count against the quota there');

  const c1 = (await portal.cell('c1')).store;
  for (const table of ['mail_accounts', 'mail_messages', 'files']) {
    t.is(Number((await c1.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n), 0, `no ${table} left on c1`);
  }
  t.is(Number((await c1.get<{ n: number }>('SELECT COUNT(*) AS n FROM mail_sources'))!.n), 0);
  t.is((await bobMail.summary(bob)).accounts.length, 1, 'the other user of the target keeps their own mail');
});
