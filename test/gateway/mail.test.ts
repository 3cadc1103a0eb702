// Mail from every device class through real HTTP requests, against the real Dovecot and Postfix.
// The handset checks every page: budget, charset, and for WML the WAP Forum DTD.
import test from 'ava';
import { HEADERS, Handset, withGateway, type Page } from '../support/client.ts';
import { closeTestPortals } from '../support/system.ts';
import { deliver, labAccount, labUser, startMailLab, type LabUser } from '../support/mail-lab.ts';
import { ATTACHED, JAPANESE, attachmentMail, bigMail, japaneseMail, latin1Mail, LATIN1, plainMail } from '../support/mail-samples.ts';
import type { Markup } from '../../gateway/device.ts';

test.before(async () => {
  await startMailLab();
});
test.after.always(closeTestPortals);

const MARKUPS: Markup[] = ['wml', 'chtml', 'html'];

/** Logs in as demo and sets up an account for `user` from the device's own form. */
async function withAccount(phone: Handset, user: LabUser, protocol: 'imap' | 'pop3' = 'imap', overrides: Record<string, string> = {}): Promise<Page> {
  const home = await phone.login();
  const mail = await phone.get(home.link('Mail'));
  const form = await phone.get(mail.link('New account'));
  const saved = await phone.post(form.action, labAccount(user, protocol, overrides));
  phone.t.is(saved.status, 200, saved.words);
  phone.t.regex(saved.words, new RegExp(`${protocol} ${user.name.slice(0, 10)}`));
  return saved;
}

/** Presses Check on the mail home until `want` shows in the inbox (Postfix delivers a moment later); bounded. */
async function checkUntil(phone: Handset, mailHome: Page, want: RegExp): Promise<Page> {
  let page = mailHome;
  for (let i = 0; i < 50; i++) {
    page = await phone.post(mailHome.action, {});
    if (want.test(page.words)) return page;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${want} never arrived:\n${page.words}`);
}

for (const markup of MARKUPS) {
  test.serial(`${markup}: set up an account, write a mail, check it arrive, read it and reply`, (t) =>
    withGateway(async (gw) => {
      const phone = new Handset(t, gw.base, markup);
      const user = await labUser(`gw${markup}`);
      const mailHome = await withAccount(phone, user);
      t.false(mailHome.text.includes(user.password), 'the password is never shown again');
      const form = await phone.get(mailHome.link(/Write/));
      const subject = `From a ${markup} phone`;
      const sent = await phone.post(form.action, { account: /value="(\d+)"/.exec(form.text)![1], to: user.address, subject, body: 'Short note. 了解です。' });
      t.is(sent.status, 200);
      t.regex(sent.words, new RegExp(`Subject\\W+${subject}`));
      t.notRegex(sent.words, /Not sent/);

      const inbox = await checkUntil(phone, mailHome, /: From a/);
      t.regex(inbox.words, /1 new message/);
      if (markup === 'chtml') t.true(inbox.bytes.includes(Buffer.from([0xf9, 0x77])), 'unread: the envelope pictogram in Shift_JIS');
      else t.regex(inbox.words, /\[mail\]/);
      const message = await phone.get(inbox.link(/: From a/));
      t.regex(message.words, /Short note\. 了解です。/, 'typed in the device charset (Shift_JIS on i-mode), sent and read back');
      t.regex(message.words, new RegExp(user.address));
      const again = await phone.get(message.link('Inbox'));
      t.notRegex(again.words, /\[mail\]/, 'read now');

      const reply = await phone.get(message.link(/Reply/));
      t.regex(reply.words, /Re: From a/);
      const replied = await phone.post(reply.action, { account: /value="(\d+)"/.exec(reply.text)![1], to: user.address, subject: '', body: 'Got it.' });
      t.regex(replied.words, new RegExp(`Re: ${subject}`));
      const back = await checkUntil(phone, mailHome, /: Re: From/);
      const answer = await phone.get(back.link(/: Re: From/));
      t.regex(answer.words, /Got it\./);
      t.regex(answer.words, /> Short note\./, 'the original quoted');
    }));

  test.serial(`${markup}: Japanese and Latin-1 mail over POP3, and a 200 KB body in pages with more links`, (t) =>
    withGateway(async (gw) => {
      const phone = new Handset(t, gw.base, markup);
      const user = await labUser(`cs${markup}`);
      const big = bigMail('big');
      await deliver(user, japaneseMail('jp'), latin1Mail('l1'), big.raw);
      const mailHome = await withAccount(phone, user, 'pop3');
      const inbox = await phone.post(mailHome.action, {});
      t.regex(inbox.words, /3 new messages/);
      const jp = await phone.get(inbox.link(new RegExp(JAPANESE.subject)));
      t.true(jp.words.includes(JAPANESE.body), jp.words);
      const latin = await phone.get(inbox.link(/Gen.ve l1/));
      // Shift_JIS has no é: i-mode shows the geta mark the carriers use for what it lacks (and its own ￡).
      t.true(latin.words.includes(markup === 'chtml' ? LATIN1.body.replace(/[éàçïÆø]/g, '〓').replace('£', '￡') : LATIN1.body), latin.words);

      let page = await phone.get(inbox.link(/Long big/));
      const seen: number[] = [];
      for (let i = 0; i < 4; i++) {
        seen.push(...[...page.words.matchAll(/Line (\d{5})/g)].map((m) => Number(m[1])));
        page = await phone.get(page.link(/Next/));
      }
      t.true(seen.length >= 4, `lines seen: ${seen.length}`);
      t.deepEqual(seen, seen.map((_, i) => seen[0] + i), 'pages follow each other line by line');
      t.is(seen[0], 0);
    }));

  test.serial(`${markup}: the inbox comes in pages within the budget`, (t) =>
    withGateway(async (gw) => {
      const phone = new Handset(t, gw.base, markup);
      const user = await labUser(`pg${markup}`);
      await deliver(user, ...Array.from({ length: 25 }, (_, i) => plainMail(`pg${i}`, `Item ${String(i).padStart(2, '0')}`, 'x')));
      const mailHome = await withAccount(phone, user);
      let page = await phone.post(mailHome.action, {});
      const seen = new Set<string>();
      for (let i = 0; i < 30; i++) {
        for (const m of page.words.matchAll(/Item (\d\d)/g)) seen.add(m[1]);
        if (!page.links.some((l) => /Next/.test(l.text))) break;
        page = await phone.get(page.link(/Next/));
      }
      t.is(seen.size, 25);
    }));

  test.serial(`${markup}: bad form input, a server that is down and a refused password get a clear page`, (t) =>
    withGateway(async (gw) => {
      const phone = new Handset(t, gw.base, markup);
      const user = await labUser(`err${markup}`);
      const home = await phone.login();
      const mailHome = await phone.get(home.link('Mail'));
      const form = await phone.get(mailHome.link('New account'));
      const bad = await phone.post(form.action, labAccount(user, 'imap', { incoming: 'mail.example:99999' }));
      t.is(bad.status, 400);
      t.regex(bad.words, /port is 1 to 65535/);
      t.false(bad.text.includes(user.password), 'the typed password is not sent back');
      const noAddress = await phone.post(form.action, labAccount(user, 'imap', { address: 'nobody' }));
      t.is(noAddress.status, 400);
      t.regex(noAddress.words, /not an e-mail address/);

      // Port 9 (discard) is closed on loopback here: a server that is down.
      let page = await phone.post(form.action, labAccount(user, 'imap', { name: 'Down', incoming: '127.0.0.1:9', outgoing: '127.0.0.1:9' }));
      page = await phone.post(page.action, {});
      t.is(page.status, 503);
      t.regex(page.words, /cannot be reached\. Try again after \d\d:\d\d UTC/);
      t.regex((await phone.get(home.link('Mail'))).words, /cannot be reached\. Tried again by itself after \d\d:\d\d UTC\./, 'the retry tick is named');
      page = await phone.post(form.action, labAccount(user, 'pop3', { name: 'Wrong', password: 'not-the-password' }));
      const wrongCheck = /action="([^"]*)"[^>]*>[^<]*Wrong|Wrong: <anchor>Check<go href="([^"]*)"/.exec(page.text);
      const checkWrong = page.text.match(new RegExp(`(?:href|action)="([^"]*/mail/a/\\d+/check)"`, 'g'))!.map((s) => /"([^"]*)"/.exec(s)![1]);
      t.truthy(wrongCheck ?? checkWrong.length === 2);
      const refused = await phone.post(checkWrong[checkWrong.length - 1], {});
      t.is(refused.status, 403);
      t.regex(refused.words, /refused the login or password/);
      t.regex((await phone.get(home.link('Mail'))).words, /refused the login or password\. Nothing is tried until you type the password again/);

      const write = await phone.get((await phone.get(home.link('Mail'))).link(/Write/));
      const account = /value="(\d+)"/.exec(write.text)![1];
      const noTo = await phone.post(write.action, { account, to: 'not an address', subject: 'Kept', body: 'typed text' });
      t.is(noTo.status, 400);
      t.regex(noTo.words, /not an e-mail address/);
      t.regex(noTo.text, /Kept/, 'what was typed comes back');
      const down = /value="(\d+)"[^>]*>\s*Down/.exec(write.text)![1];
      const waiting = await phone.post(write.action, { account: down, to: user.address, subject: 'Waits', body: 'x' });
      t.regex(waiting.words, /cannot be reached\. Tried again by itself after \d\d:\d\d UTC\./, 'an outbox message says the tick will send it');
    }));
}

test.serial('html: attachments are listed with their size, and a kept one downloads with its name and type', (t) =>
  withGateway(async (gw) => {
    const phone = new Handset(t, gw.base, 'html');
    const user = await labUser('att');
    await deliver(user, attachmentMail('att1'));
    const mailHome = await withAccount(phone, user);
    const inbox = await phone.post(mailHome.action, {});
    const message = await phone.get(inbox.link(/Files att1/));
    t.regex(message.words, /photo\.jpg \(29 KB\)/);
    const download = await fetch(new URL(message.link(/notes\.txt/), gw.base), { headers: HEADERS.html });
    t.is(download.status, 200);
    t.is(download.headers.get('content-type'), 'text/plain; charset=utf-8');
    t.regex(download.headers.get('content-disposition') ?? '', /attachment; filename="notes\.txt"/);
    t.deepEqual(Buffer.from(await download.arrayBuffer()), ATTACHED.files[0].content);
  }));
