// Mail figures: checking 1,000 new messages from the local Dovecot over IMAP and over POP3 into the
// inbox, on SQLite and MariaDB side by side; and the bytes of the inbox and of a message page for
// each device class.
import { gzipSync } from 'node:zlib';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Portal } from '../../core/portal.ts';
import { seedDemo } from '../../core/demo.ts';
import { createApp } from '../../gateway/app.ts';
import { labAccount, labUser, lda, type LabUser } from '../support/mail-lab.ts';
import { attachmentMail, plainMail } from '../support/mail-samples.ts';
import { fetchPage } from './sizes.ts';
import { encodeWml } from '../../transcode/wbxml/encode.ts';
import type { AddressInfo } from 'node:net';

const MESSAGES = Number(process.env.BENCH_MAIL_MESSAGES || 1000);
const BODY = 'Dear team,\n\nthe minutes of Monday are below; corrections to me by Friday, please.\n\n' + '- One point of the agenda, with its decision and who follows it up.\n'.repeat(20);

/** Fills a mailbox through Dovecot's LDA, eight at a time; every tenth message has attachments. */
async function fill(user: LabUser, n: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-mail-'));
  try {
    const files = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const file = join(dir, `${i}.eml`);
        await writeFile(file, i % 10 === 9 ? attachmentMail(`bench${i}`) : plainMail(`bench${i}`, `Minutes ${i}`, BODY));
        return file;
      }),
    );
    for (let i = 0; i < files.length; i += 8) {
      await Promise.all(files.slice(i, i + 8).map((f) => lda(user.name, f)));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A base of its own under `base`, for one brand-new system (a directory for SQLite, a name prefix for MariaDB). */
export function derive(base: string, label: string): string {
  if (!base.startsWith('sqlite:')) return `${base}_${label}`;
  const dir = join(base.slice('sqlite:'.length), label);
  mkdirSync(dir, { recursive: true });
  return `sqlite:${dir}`;
}

/** Seconds to check `protocol` into a brand-new system on `base`, and how many were stored. */
async function timeCheck(base: string, user: LabUser, protocol: 'imap' | 'pop3'): Promise<{ seconds: number; stored: number }> {
  const portal = await Portal.open(derive(base, protocol), { mail: { timeoutMs: 600_000 } });
  try {
    await portal.addCell('c1', 10);
    await portal.register('bench', 'secret', 'Bench');
    const actor = { login: 'bench', cellId: 'c1' };
    const mail = await portal.mail(actor);
    const account = await mail.saveAccount(actor, labAccount(user, protocol));
    const started = performance.now();
    const stored = await mail.check(actor, account);
    return { seconds: (performance.now() - started) / 1000, stored };
  } finally {
    await portal.close();
  }
}

export async function checkTimes(stores: [string, string][]): Promise<string[]> {
  const user = await labUser('bench');
  const t0 = performance.now();
  await fill(user, MESSAGES);
  const lines = [`(${MESSAGES} messages delivered through dovecot-lda in ${((performance.now() - t0) / 1000).toFixed(1)} s; every tenth with a 30 KB attachment)`];
  lines.push(`${'protocol'.padEnd(10)}${'store'.padEnd(10)}${'stored'.padEnd(8)}${'seconds'.padEnd(10)}messages/s`);
  const rates: Record<string, number> = {};
  for (const [name, base] of stores) {
    for (const protocol of ['imap', 'pop3'] as const) {
      const { seconds, stored } = await timeCheck(base, user, protocol);
      rates[`${protocol} ${name}`] = stored / seconds;
      lines.push(`${protocol.padEnd(10)}${name.padEnd(10)}${String(stored).padEnd(8)}${seconds.toFixed(2).padEnd(10)}${(stored / seconds).toFixed(0)}`);
    }
  }
  for (const [name] of stores) lines.push(`ratio pop3 / imap on ${name}: ${(rates[`pop3 ${name}`] / rates[`imap ${name}`]).toFixed(2)} by messages/s`);
  return lines;
}

/** Bytes of the inbox and of a message's first page, as each device class gets them. */
export async function mailScreenSizes(base: string): Promise<string[]> {
  const portal = await Portal.open(derive(base, 'screens'));
  const server = createApp(portal, { compileWml: false }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await seedDemo(portal);
    const user = await labUser('benchsize');
    await fill(user, 30);
    const actor = { login: 'demo', cellId: 'c1' };
    const mail = await portal.mail(actor);
    const account = await mail.saveAccount(actor, labAccount(user, 'imap'));
    await mail.check(actor, account);
    const lines = [`${'screen'.padEnd(10)}${'wml text'.padEnd(10)}${'wbxml'.padEnd(8)}${'chtml'.padEnd(8)}${'html'.padEnd(8)}html gz`];
    const sizes: Record<string, Record<string, number>> = { inbox: {}, message: {} };
    for (const markup of ['wml', 'chtml', 'html'] as const) {
      const login = await fetchPage(url, markup, '/');
      const password = await fetchPage(url, markup, login.action, { login: 'demo' });
      const home = await fetchPage(url, markup, password.action, { login: 'demo', password: 'demo' });
      const session = new URL(home.url).pathname.replace(/\/$/, '');
      const inbox = await fetchPage(url, markup, `${session}/mail/f/inbox`);
      const message = await fetchPage(url, markup, inbox.link(/Minutes/));
      for (const [screen, page] of [['inbox', inbox], ['message', message]] as const) {
        if (markup === 'wml') {
          sizes[screen].wml = page.bytes.length;
          sizes[screen].wbxml = encodeWml(page.text).length;
        } else sizes[screen][markup] = page.bytes.length;
        if (markup === 'html') sizes[screen].gz = gzipSync(page.bytes).length;
      }
    }
    for (const screen of ['inbox', 'message']) {
      const s = sizes[screen];
      lines.push(`${screen.padEnd(10)}${String(s.wml).padEnd(10)}${String(s.wbxml).padEnd(8)}${String(s.chtml).padEnd(8)}${String(s.html).padEnd(8)}${s.gz}`);
    }
    return lines;
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await portal.close();
  }
}
