// "Try again later", done by the retry tick (Mail.retryDue, started per cell by core/mail/run.ts):
// against the real Postfix and Dovecot of the mail lab, with a relay in front that is down, then up.
import test from 'ava';
import { closeTestPortals, freshBase, openTestPortal } from '../../support/system.ts';
import { LAB, delivered, deliver, labAccount, labUser, startMailLab } from '../../support/mail-lab.ts';
import { plainMail } from '../../support/mail-samples.ts';
import { TcpProxy } from '../../support/tcp-proxy.ts';
import { startMailRetries } from '../../../core/mail/run.ts';
import type { Actor } from '../../../core/cell/cell.ts';
import type { Mail } from '../../../core/mail/mail.ts';

test.before(async () => {
  await startMailLab();
});
test.after.always(closeTestPortals);

const actor: Actor = { login: 'ann', cellId: 'c1' };
const count = async (mail: Mail, folder: string) => (await mail.folder(actor, folder, 0, 100)).items.length;

/** A user's mail on a portal whose clock the test moves; `base` opens a second gateway on the same stores. */
async function setup(clock: { now: number }, base = freshBase()) {
  const portal = await openTestPortal({ now: () => clock.now, mail: { retryMs: 60_000 } }, base);
  if ((await portal.dispatch.cells()).length === 0) {
    await portal.addCell('c1', 10);
    await portal.register('ann', 'secret', 'Ann');
  }
  return { portal, base, mail: await portal.mail(actor) };
}

test.serial('a message sent while its SMTP server is unreachable is delivered once by the tick, with two tickers at once', async (t) => {
  const clock = { now: Date.now() };
  const first = await setup(clock);
  const second = await setup(clock, first.base);
  const [me, other] = [await labUser('tickme'), await labUser('tickto')];
  const proxy = await new TcpProxy({ host: LAB.host, port: LAB.smtp }).open('down');
  const stops: (() => Promise<void>)[] = [];
  try {
    const mine = await first.mail.saveAccount(actor, labAccount(me, 'imap', { outgoing: `127.0.0.1:${proxy.port}` }));
    const result = await first.mail.send(actor, { account: String(mine), to: other.address, subject: 'Sent by the tick', body: 'Once only.' });
    t.false(result.sent);
    const waiting = await first.mail.message(actor, result.id);
    t.is(waiting.attempts.state, 'retry');
    await proxy.set('up');
    t.deepEqual(await first.mail.retryDue(20), { sent: 0, notSent: 0, checked: 0, checkFailed: 0 }, 'nothing before its time');
    t.is(proxy.accepted, 0);
    // Two gateways' tickers on the same cell, both finding the message due at once.
    clock.now += 61_000;
    for (const { portal } of [first, second]) stops.push(await startMailRetries(portal, 20, 5, (err) => t.fail(String(err))));
    for (let i = 0; i < 200 && (await count(first.mail, 'sent')) === 0; i++) await new Promise((r) => setTimeout(r, 50));
    t.is(await count(first.mail, 'outbox'), 0);
    t.is(await count(first.mail, 'sent'), 1);
    // Waiting for a second delivery that must not come.
    const arrived = await delivered(other, 2, 2_000);
    t.is(arrived.length, 1, 'Postfix delivered it exactly once');
    t.true(arrived[0].includes(`Message-ID: ${waiting.messageId}`), 'the message from the outbox');
    t.is(proxy.accepted, 1, 'one SMTP conversation in all');
  } finally {
    await Promise.all(stops.map((stop) => stop()));
    await proxy.close();
  }
});

test.serial('the tick waits out the doubling backoff, and checks again an account whose check failed', async (t) => {
  const clock = { now: Date.now() };
  const { mail } = await setup(clock);
  // The mail sent goes to another mailbox, so that whenever Postfix delivers it the inbox checked holds the one waiting message.
  const [reader, other] = [await labUser('tickcheck'), await labUser('tickcheckto')];
  await deliver(reader, plainMail('t1', 'Waiting', 'one'));
  const smtp = await new TcpProxy({ host: LAB.host, port: LAB.smtp }).open('down');
  const imap = await new TcpProxy({ host: LAB.host, port: LAB.imap }).open('down');
  try {
    const account = await mail.saveAccount(actor, labAccount(reader, 'imap', { incoming: `127.0.0.1:${imap.port}`, outgoing: `127.0.0.1:${smtp.port}` }));
    await t.throwsAsync(mail.check(actor, account));
    const { id } = await mail.send(actor, { account: String(account), to: other.address, subject: 'Backoff', body: 'x' });
    clock.now += 61_000;
    t.like(await mail.retryDue(20), { notSent: 1, checkFailed: 1 }, 'still down: tried once each');
    t.is((await mail.message(actor, id)).attempts.failures, 2);
    clock.now += 61_000;
    t.like(await mail.retryDue(20), { sent: 0, notSent: 0, checked: 0, checkFailed: 0 }, 'the second wait is twice as long');
    await smtp.set('up');
    await imap.set('up');
    clock.now += 60_000;
    t.deepEqual(await mail.retryDue(20), { sent: 1, notSent: 0, checked: 1, checkFailed: 0 });
    t.is(await count(mail, 'inbox'), 1, 'the check found the waiting message');
    t.is((await mail.account(actor, account)).problem, '');
    t.deepEqual(await mail.retryDue(20), { sent: 0, notSent: 0, checked: 0, checkFailed: 0 }, 'nothing left to retry');
  } finally {
    await smtp.close();
    await imap.close();
  }
});

test.serial('the tick never retries a refused password: it waits for the user to type a new one', async (t) => {
  const clock = { now: Date.now() };
  const { mail } = await setup(clock);
  const [me, other] = [await labUser('tickpw'), await labUser('tickpwto')];
  const mine = await mail.saveAccount(actor, labAccount(me, 'imap', { outLogin: me.name, outPassword: 'not-it' }));
  const result = await mail.send(actor, { account: String(mine), to: other.address, subject: 'Refused', body: 'x' });
  t.regex(result.problem, /refused the login or password/);
  clock.now += 24 * 3600_000;
  t.deepEqual(await mail.retryDue(20), { sent: 0, notSent: 0, checked: 0, checkFailed: 0 });
  t.is(await count(mail, 'outbox'), 1);
  await mail.saveAccount(actor, labAccount(me, 'imap', { outLogin: me.name, outPassword: me.password }), mine);
  t.like(await mail.retryDue(20), { sent: 1 }, 'a new password: the tick sends it');
  t.is((await delivered(other, 1)).length, 1);
});
