// Mail through the core against the real lab: Postfix takes what we send, Dovecot serves it back
// over IMAP and POP3; every message is stored once in the user's inbox, whatever the charset.
import test from 'ava';
import { freshBase, kindOf, openTestPortal, closeTestPortals } from '../../support/system.ts';
import { checkUntil, deliver, labAccount, labUser, renumber, startMailLab } from '../../support/mail-lab.ts';
import { ATTACHED, HTML, JAPANESE, LATIN1, SHIFT_JIS, attachmentMail, bigMail, htmlMail, japaneseMail, latin1Mail, plainMail, shiftJisMail } from '../../support/mail-samples.ts';
import type { Actor } from '../../../core/cell/cell.ts';
import type { Portal, PortalOptions } from '../../../core/portal.ts';
import type { Mail } from '../../../core/mail/mail.ts';
import type { MessageSummary } from '../../../core/mail/mailbox.ts';

test.before(async () => {
  await startMailLab();
});
test.after.always(closeTestPortals);

async function userWithMail(options: PortalOptions = {}, login = 'ann'): Promise<{ portal: Portal; actor: Actor; mail: Mail }> {
  const portal = await openTestPortal(options);
  await portal.addCell('c1', 100);
  await portal.register(login, 'secret', login);
  const actor = { login, cellId: 'c1' };
  return { portal, actor, mail: await portal.mail(actor) };
}

async function inbox(mail: Mail, actor: Actor): Promise<MessageSummary[]> {
  return (await mail.folder(actor, 'inbox', 0, 1000)).items;
}

const tag = () => `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

test.serial('a mail sent through our SMTP path arrives over IMAP and over POP3, stored once per account', async (t) => {
  const { actor, mail } = await userWithMail();
  const [sender, reader] = [await labUser('snd'), await labUser('rcv')];
  const from = await mail.saveAccount(actor, labAccount(sender, 'imap', { name: 'Sender' }));
  const imap = await mail.saveAccount(actor, labAccount(reader, 'imap', { name: 'Reader IMAP' }));
  const pop3 = await mail.saveAccount(actor, labAccount(reader, 'pop3', { name: 'Reader POP3' }));
  const subject = `Hello ${tag()}`;
  const sent = await mail.send(actor, { account: String(from), to: `Reader <${reader.address}>`, subject, body: 'Grüße aus dem Labor.\nSecond line.' });
  t.true(sent.sent, sent.problem);
  const sentBox = (await mail.folder(actor, 'sent', 0, 10)).items;
  t.is(sentBox.length, 1);
  t.is(sentBox[0].subject, subject);
  t.is((await mail.folder(actor, 'outbox', 0, 10)).items.length, 0);

  t.is(await checkUntil(mail, actor, imap, 1), 1);
  t.is(await mail.check(actor, pop3), 1, 'POP3 sees the same mailbox');
  t.is(await mail.check(actor, imap), 0, 'nothing new the second time');
  t.is(await mail.check(actor, pop3), 0);
  const items = await inbox(mail, actor);
  t.is(items.length, 2);
  for (const item of items) {
    t.is(item.subject, subject);
    t.regex(item.from, new RegExp(sender.address));
    t.true(item.unread);
    const message = await mail.message(actor, item.id);
    t.is(message.body.trim(), 'Grüße aus dem Labor.\nSecond line.');
    t.regex(message.to, new RegExp(reader.address));
  }
  t.false((await inbox(mail, actor))[0].unread, 'read once opened');
  const summary = await mail.summary(actor);
  t.is(summary.unread, 0);
  t.is(summary.accounts.length, 3);
  t.false(JSON.stringify(summary).includes(reader.password), 'a password is never shown again');
  t.false(JSON.stringify(await mail.account(actor, imap)).includes(reader.password));
});

for (const protocol of ['imap', 'pop3'] as const) {
  test.serial(`${protocol}: Japanese (ISO-2022-JP, Shift_JIS), Latin-1, HTML-only, attachments and a 200 KB body read right`, async (t) => {
    const { actor, mail } = await userWithMail({ mail: { quota: 25_000 } });
    const reader = await labUser(`cs${protocol}`);
    const id = tag();
    const big = bigMail(`${id}-big`);
    await deliver(reader, japaneseMail(`${id}-jp`), shiftJisMail(`${id}-sj`), latin1Mail(`${id}-l1`), htmlMail(`${id}-html`), attachmentMail(`${id}-att`), big.raw);
    const account = await mail.saveAccount(actor, labAccount(reader, protocol));
    t.is(await mail.check(actor, account), 6);
    const byTag = new Map((await inbox(mail, actor)).map((m) => [/ (\S+)$/.exec(m.subject)?.[1], m]));
    const read = (suffix: string) => mail.message(actor, byTag.get(`${id}-${suffix}`)!.id);

    const jp = await read('jp');
    t.is(jp.subject, `${JAPANESE.subject} ${id}-jp`);
    t.is(jp.body.trim(), JAPANESE.body);
    t.is((await read('sj')).body.trim(), SHIFT_JIS.body);
    t.is((await read('sj')).subject, `ご挨拶 ${id}-sj`);
    const latin = await read('l1');
    t.is(latin.subject, `${LATIN1.subject} ${id}-l1`);
    t.is(latin.body.trim(), LATIN1.body);
    t.is((await read('html')).body, HTML.text);
    const att = await read('att');
    t.is(att.body.trim(), ATTACHED.text);
    t.deepEqual(
      att.attachments.map((a) => [a.name, a.size, a.stored]),
      [
        ['notes.txt', ATTACHED.files[0].content.length, true],
        ['photo.jpg', ATTACHED.files[1].content.length, false],
      ],
      'the photo is over the 25,000-byte quota: listed, not stored',
    );
    const notes = await mail.attachment(actor, att.attachments[0].id);
    t.deepEqual(notes.content, ATTACHED.files[0].content);
    t.is(await kindOf(mail.attachment(actor, att.attachments[1].id)), 'not-found');
    const long = await read('big');
    t.is(long.body.trimEnd(), big.body, 'every byte of the long body, the dot-stuffed line too');
  });
}

for (const protocol of ['imap', 'pop3'] as const) {
  test.serial(`${protocol}: a server that renumbers its mailbox (a new UIDVALIDITY) gets no message stored twice`, async (t) => {
    const { actor, mail } = await userWithMail();
    const reader = await labUser(`renum${protocol}`);
    await deliver(reader, plainMail('rn1', 'Before', 'one'), plainMail('rn2', 'Before', 'two'));
    const account = await mail.saveAccount(actor, labAccount(reader, protocol));
    t.is(await mail.check(actor, account), 2);
    await renumber(reader, 4242);
    await deliver(reader, plainMail('rn3', 'After', 'three'));
    t.is(await mail.check(actor, account), 1, 'only the new one: the others are known by their bytes');
    t.is(await mail.check(actor, account), 0);
    t.deepEqual((await inbox(mail, actor)).map((m) => m.subject).sort(), ['After rn3', 'Before rn1', 'Before rn2']);
  });
}

test.serial('passwords sealed while the key was mail’s own (an older program) still log in once the key is the cell’s', async (t) => {
  const base = freshBase();
  const portal = await openTestPortal({}, base);
  await portal.addCell('c1', 100);
  await portal.register('ann', 'secret', 'Ann');
  const actor = { login: 'ann', cellId: 'c1' };
  const mail = await portal.mail(actor);
  const reader = await labUser('old');
  await deliver(reader, plainMail(tag(), 'Old', 'Sealed before.'));
  const account = await mail.saveAccount(actor, labAccount(reader, 'imap'));
  // The cell as the program before left it: the key in mail's table, the cell's schema at 3, mail's at 2.
  const store = mail.store;
  const key = (await store.get<{ secret: string }>('SELECT secret FROM secret_key WHERE id = 1'))!.secret;
  await store.run('CREATE TABLE mail_key AS SELECT id, secret FROM secret_key');
  await store.run('DROP TABLE secret_key');
  await store.run("UPDATE schema_meta SET version = 3 WHERE kind = 'cell'");
  await store.run("UPDATE schema_meta SET version = 2 WHERE kind = 'mail'");

  // The program now, in another process.
  const later = await openTestPortal({}, base);
  const upgraded = await later.mail(actor);
  t.is(await checkUntil(upgraded, actor, account, 1), 1, 'the reading password opens');
  const sent = await upgraded.send(actor, { account: String(account), to: reader.address, subject: `After ${tag()}`, body: 'The sending one too.' });
  t.true(sent.sent, sent.problem);
  t.deepEqual(await store.all('SELECT id, secret FROM secret_key'), [{ id: 1, secret: key }], 'the same key, the cell’s now');
  await t.throwsAsync(store.all('SELECT * FROM mail_key'), undefined, 'mail’s table is gone');
});

test.serial('two checks of one account at once store each message once', async (t) => {
  const { actor, mail } = await userWithMail();
  const reader = await labUser('twice');
  await deliver(reader, ...Array.from({ length: 4 }, (_, i) => plainMail(`tw${i}`, `Twice ${i}`, 'x')));
  const imap = await mail.saveAccount(actor, labAccount(reader, 'imap'));
  const pop3 = await mail.saveAccount(actor, labAccount(reader, 'pop3'));
  const counts = await Promise.all([mail.check(actor, imap), mail.check(actor, imap), mail.check(actor, pop3), mail.check(actor, pop3)]);
  t.deepEqual(counts, [4, 4, 4, 4], 'the second request shares the running check');
  t.is((await inbox(mail, actor)).length, 8);
});

test.serial('a user reaches only their own mail and accounts', async (t) => {
  const { portal, actor, mail } = await userWithMail();
  await portal.register('bob', 'secret', 'Bob');
  const bob = { login: 'bob', cellId: 'c1' };
  const reader = await labUser('own');
  const account = await mail.saveAccount(actor, labAccount(reader, 'imap'));
  await deliver(reader, plainMail('own1', 'Mine', 'private'));
  t.is(await mail.check(actor, account), 1);
  const [message] = await inbox(mail, actor);
  t.is(await kindOf(mail.check(bob, account)), 'not-found');
  t.is(await kindOf(mail.message(bob, message.id)), 'not-found');
  t.is(await kindOf(mail.account(bob, account)), 'not-found');
  t.is(await kindOf(mail.send(bob, { account: String(account), to: 'x@lab.test', subject: 's', body: 'b' })), 'not-found');
  t.deepEqual((await mail.folder(bob, 'inbox', 0, 10)).items, []);
  t.is(await kindOf(mail.folder(actor, 'drafts', 0, 10)), 'not-found');
  t.is(await kindOf(mail.summary({ login: 'ann', cellId: 'c2' })), 'forbidden', 'mail is read on the own cell only');
});

test.serial('bad account settings are refused with the reason, nothing stored', async (t) => {
  const { actor, mail } = await userWithMail();
  const reader = await labUser('bad');
  const good = labAccount(reader, 'imap');
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ ...good, name: '' }, 'invalid', /name/],
    [{ ...good, address: 'not an address' }, 'invalid', /not an e-mail address/],
    [{ ...good, protocol: 'smtp' }, 'invalid', /IMAP or POP3/],
    [{ ...good, incoming: 'host name:12' }, 'invalid', /incoming server/],
    [{ ...good, incoming: 'mail.example:99999' }, 'invalid', /port/],
    [{ ...good, password: '' }, 'invalid', /password/],
    [{ ...good, outgoing: '' }, 'invalid', /SMTP server/],
  ];
  for (const [input, kind, message] of cases) {
    const err = await mail.saveAccount(actor, input).catch((e: Error & { kind: string }) => e);
    t.is((err as { kind?: string }).kind, kind, JSON.stringify(input));
    t.regex((err as Error).message, message);
  }
  t.is((await mail.summary(actor)).accounts.length, 0);
  const id = await mail.saveAccount(actor, good);
  t.is(await kindOf(mail.saveAccount(actor, good)), 'conflict', 'names are unique per user');
  // Changing other settings keeps the password that was not typed again.
  await mail.saveAccount(actor, { ...good, password: '', name: 'Renamed' }, id);
  await deliver(reader, plainMail('keep', 'Kept', 'x'));
  t.is(await mail.check(actor, id), 1);
  const bad = [{ account: 'x', to: reader.address }, { account: String(id), to: '' }, { account: String(id), to: 'nobody' }, { account: String(id), to: reader.address, subject: 'x'.repeat(201) }];
  for (const draft of bad) t.is(await kindOf(mail.send(actor, { subject: 's', body: 'b', ...draft })), 'invalid', JSON.stringify(draft));
  t.is((await mail.folder(actor, 'outbox', 0, 10)).items.length + (await mail.folder(actor, 'sent', 0, 10)).items.length, 0);
});

test.serial('replies quote the original and forwards carry its attachments', async (t) => {
  const { actor, mail } = await userWithMail();
  const [me, other] = [await labUser('rep'), await labUser('oth')];
  const mine = await mail.saveAccount(actor, labAccount(me, 'imap', { name: 'Me' }));
  const theirs = await mail.saveAccount(actor, labAccount(other, 'pop3', { name: 'Other' }));
  await deliver(me, attachmentMail('fwd1', [ATTACHED.files[0]]));
  t.is(await mail.check(actor, mine), 1);
  const [original] = await inbox(mail, actor);
  const reply = await mail.send(actor, { account: String(mine), to: other.address, subject: '', body: 'Thanks!', replyTo: original.id });
  t.true(reply.sent, reply.problem);
  const forward = await mail.send(actor, { account: String(mine), to: other.address, subject: '', body: 'FYI', forward: original.id });
  t.true(forward.sent, forward.problem);
  t.is(await checkUntil(mail, actor, theirs, 2), 2);
  const got = (await inbox(mail, actor)).filter((m) => m.accountId === theirs);
  const answer = await mail.message(actor, got.find((m) => m.subject.startsWith('Re:'))!.id);
  t.is(answer.subject, 'Re: Files fwd1');
  t.regex(answer.body, /^Thanks!\n\n.*wrote:\n> Here are the files\./s);
  t.is(answer.inReplyTo, '<fwd1@lab.test>');
  const passed = await mail.message(actor, got.find((m) => m.subject.startsWith('Fwd:'))!.id);
  t.regex(passed.body, /FYI\n\n-+ Forwarded message -+\nFrom: Sender <sender@lab\.test>/);
  t.deepEqual(passed.attachments.map((a) => [a.name, a.size]), [['notes.txt', ATTACHED.files[0].content.length]]);
});

