// When a mail server is down, hangs, or refuses the password: the user is told in plain words,
// nothing is lost or stored twice, the retry waits, and a refused password is never tried again
// by itself (Dovecot penalises every user behind the gateway's one address for repeated failures).
import test from 'ava';
import { kindOf, openTestPortal, closeTestPortals } from '../../support/system.ts';
import { LAB, deliver, dovecotLog, labAccount, labUser, startMailLab } from '../../support/mail-lab.ts';
import { plainMail } from '../../support/mail-samples.ts';
import { TcpProxy } from '../../support/tcp-proxy.ts';
import type { Actor } from '../../../core/cell/cell.ts';
import type { MailSettings } from '../../../core/mail/settings.ts';
import type { Mail } from '../../../core/mail/mail.ts';

test.before(async () => {
  await startMailLab();
});
test.after.always(closeTestPortals);

/** A user with mail on a portal whose clock the test moves. */
async function setup(settings: Partial<MailSettings> = {}) {
  const clock = { now: Date.now() };
  const portal = await openTestPortal({ now: () => clock.now, mail: { retryMs: 60_000, ...settings } });
  await portal.addCell('c1', 10);
  await portal.register('ann', 'secret', 'Ann');
  const actor: Actor = { login: 'ann', cellId: 'c1' };
  return { clock, actor, mail: await portal.mail(actor) };
}

async function message(operation: Promise<unknown>): Promise<string> {
  try {
    await operation;
    return 'ok';
  } catch (err) {
    return (err as Error).message;
  }
}

const count = async (mail: Mail, actor: Actor, folder: string) => (await mail.folder(actor, folder, 0, 100)).items.length;

for (const protocol of ['imap', 'pop3'] as const) {
  test.serial(`${protocol}: a server that is down is reported, waited for, and read once it is back`, async (t) => {
    const { clock, actor, mail } = await setup();
    const reader = await labUser(`down${protocol}`);
    await deliver(reader, plainMail('d1', 'While down', 'one'), plainMail('d2', 'While down', 'two'));
    const proxy = await new TcpProxy({ host: LAB.host, port: protocol === 'imap' ? LAB.imap : LAB.pop3 }).open('down');
    try {
      const account = await mail.saveAccount(actor, labAccount(reader, protocol, { incoming: `127.0.0.1:${proxy.port}` }));
      t.is(await kindOf(mail.check(actor, account)), 'unavailable');
      t.regex((await mail.account(actor, account)).problem, new RegExp(`127\\.0\\.0\\.1:${proxy.port} cannot be reached`));
      await proxy.set('up');
      const early = await message(mail.check(actor, account));
      t.regex(early, /cannot be reached\. Try again after \d\d:\d\d UTC\./);
      t.is(proxy.accepted, 0, 'no connection before the retry time');
      clock.now += 61_000;
      t.is(await mail.check(actor, account), 2);
      t.is(await mail.check(actor, account), 0);
      t.is(await count(mail, actor, 'inbox'), 2);
      t.is((await mail.account(actor, account)).problem, '', 'the account is well again');
    } finally {
      await proxy.close();
    }
  });

  test.serial(`${protocol}: a wrong password is tried once, then not again until the user types a new one`, async (t) => {
    const { clock, actor, mail } = await setup();
    const reader = await labUser(`pw${protocol}`);
    await deliver(reader, plainMail('p1', 'Locked out', 'x'));
    const account = await mail.saveAccount(actor, labAccount(reader, protocol, { password: 'wrong-password' }));
    const first = await message(mail.check(actor, account));
    t.regex(first, /refused the login or password\. Nothing more is tried until you type the password again/);
    clock.now += 24 * 3600_000;
    t.regex(await message(mail.check(actor, account)), /refused the login or password\. Type the password again in the account's settings\./);
    t.regex(await message(mail.check(actor, account)), /Type the password again/);
    const failed = (await dovecotLog(reader)).filter((line) => /mismatch|auth failed|Authentication failed/i.test(line));
    t.true(failed.length >= 1, 'Dovecot saw the failed login');
    t.is(failed.filter((line) => /mismatch/i.test(line)).length, 1, `one failed login only:\n${failed.join('\n')}`);
    await mail.saveAccount(actor, labAccount(reader, protocol, { password: reader.password }), account);
    t.is(await mail.check(actor, account), 1);
  });

  test.serial(`${protocol}: a check cut off halfway by a dropped line, then a new one: every message once`, async (t) => {
    const { clock, actor, mail } = await setup();
    const reader = await labUser(`cut${protocol}`);
    const filler = 'x'.repeat(70) + '\r\n';
    await deliver(reader, ...Array.from({ length: 6 }, (_, i) => plainMail(`cut${i}`, `Number ${i}`, filler.repeat(280))));
    const proxy = await new TcpProxy({ host: LAB.host, port: protocol === 'imap' ? LAB.imap : LAB.pop3 }).open('up');
    try {
      const account = await mail.saveAccount(actor, labAccount(reader, protocol, { incoming: `127.0.0.1:${proxy.port}` }));
      proxy.cutAfter = 3.5 * 20_000; // each message is about 20 KB: the line drops inside the fourth
      t.is(await kindOf(mail.check(actor, account)), 'unavailable');
      const partial = await count(mail, actor, 'inbox');
      t.true(partial >= 1 && partial < 6, `stopped with ${partial} of 6`);
      await proxy.set('up');
      clock.now += 61_000;
      t.is(await mail.check(actor, account), 6 - partial);
      t.is(await mail.check(actor, account), 0);
      const subjects = (await mail.folder(actor, 'inbox', 0, 10)).items.map((m) => m.subject).sort();
      t.deepEqual(subjects, Array.from({ length: 6 }, (_, i) => `Number ${i} cut${i}`));
    } finally {
      await proxy.close();
    }
  });
}

test.serial('a message whose SMTP server is down waits in the outbox and is sent once when retried later', async (t) => {
  const { clock, actor, mail } = await setup();
  const [me, other] = [await labUser('smtpme'), await labUser('smtpto')];
  const proxy = await new TcpProxy({ host: LAB.host, port: LAB.smtp }).open('down');
  try {
    const mine = await mail.saveAccount(actor, labAccount(me, 'imap', { outgoing: `127.0.0.1:${proxy.port}` }));
    const theirs = await mail.saveAccount(actor, labAccount(other, 'imap', { name: 'Other' }));
    const result = await mail.send(actor, { account: String(mine), to: other.address, subject: 'Kept safe', body: 'Do not lose me.' });
    t.false(result.sent);
    t.regex(result.problem, /^Not sent: The server 127\.0\.0\.1:\d+ cannot be reached\. Try again after \d\d:\d\d UTC\. It waits in your outbox\.$/);
    t.is(await count(mail, actor, 'outbox'), 1);
    await proxy.set('up');
    const early = await mail.sendAgain(actor, result.id);
    t.false(early.sent);
    t.is(proxy.accepted, 0, 'not retried before its time');
    clock.now += 61_000;
    const [a, b] = await Promise.all([mail.sendAgain(actor, result.id), mail.sendAgain(actor, result.id)]);
    t.deepEqual([a.sent, b.sent].sort(), [false, true], 'two retries at once send it once');
    t.is(await count(mail, actor, 'outbox'), 0);
    t.is(await count(mail, actor, 'sent'), 1);
    t.is(await kindOf(mail.sendAgain(actor, result.id)), 'not-found', 'a sent message is not in the outbox');
    let got = 0;
    for (let i = 0; i < 100 && got < 1; i++) {
      got += await mail.check(actor, theirs);
      if (!got) await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    got += await mail.check(actor, theirs);
    t.is(got, 1, 'it arrived once');
  } finally {
    await proxy.close();
  }
});

test.serial('a wrong SMTP password keeps the message in the outbox until the password is typed again', async (t) => {
  const { actor, mail } = await setup();
  const [me, other] = [await labUser('smtppw'), await labUser('smtppwto')];
  const mine = await mail.saveAccount(actor, labAccount(me, 'imap', { outLogin: me.name, outPassword: 'not-it' }));
  const result = await mail.send(actor, { account: String(mine), to: other.address, subject: 'Auth', body: 'x' });
  t.false(result.sent);
  t.regex(result.problem, /refused the login or password/);
  t.regex((await mail.sendAgain(actor, result.id)).problem, /Type the password again/);
  t.is(await count(mail, actor, 'outbox'), 1);
  await mail.saveAccount(actor, labAccount(me, 'imap', { outLogin: me.name, outPassword: me.password }), mine);
  const again = await mail.sendAgain(actor, result.id);
  t.true(again.sent, again.problem);
  t.is(await count(mail, actor, 'sent'), 1);
});

test.serial('a server that hangs times out, and connections to one server stay within the bound', async (t) => {
  const { actor, mail } = await setup({ timeoutMs: 1000, perServer: 2 });
  const proxy = await new TcpProxy({ host: LAB.host, port: LAB.imap }).open('stall');
  try {
    const user = await labUser('hang');
    // A hung server never gets to the password: six accounts, one real, all behind the same server.
    const accounts = [];
    for (let i = 0; i < 6; i++) accounts.push(await mail.saveAccount(actor, labAccount(user, 'imap', { name: `Hang ${i}`, incoming: `127.0.0.1:${proxy.port}` })));
    const started = Date.now();
    const results = await Promise.all(accounts.map((a) => message(mail.check(actor, a))));
    const took = Date.now() - started;
    for (const r of results) t.regex(r, /did not answer in time\. Try again after/);
    t.is(proxy.accepted, 6);
    // Two at a time, each cut at 1 s: three rounds. Three at a time would take two, one six.
    t.true(took >= 3000 && took < 5500, `six checks of a hung server took ${took} ms`);
    // (Recovery after the wait is the down-server tests' part: a 1 s limit is too short for a real
    // login while Dovecot penalises the failed logins of other tests.)
    t.regex(await message(mail.check(actor, accounts[0])), /Try again after/, 'within the wait, no new attempt');
    t.is(proxy.accepted, 6);
  } finally {
    await proxy.close();
  }
});
