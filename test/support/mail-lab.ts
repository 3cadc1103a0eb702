// The real mail servers of the tests: Dovecot (IMAP 10143, POP3 10110) and Postfix (SMTP 10025,
// delivering into Dovecot's Maildirs), run by ../shared/interop/mail/mail-lab.sh on loopback.
//
// One lab for every test file and for other parts' tests too (the fixed ports allow no other):
// it lives in MAIL_LAB_DIR=/tmp/lowband-mail-lab, `start` is idempotent and nothing here stops it.
// The script edits its user files with sed, so starts and new users take a lock file in turn.
// Each test makes users of its own (unique names), so tests never see each other's mail.
//
// MAIL_LAB_FAST_FAIL is left off: Dovecot keeps its real failed-login delay and per-address
// penalty, which is what the gateway's queue is built against (the bad-password tests make one
// failed login each and show that no second one follows). A lab someone else started with it on
// behaves the same for every test here, only faster.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Actor } from '../../core/cell/cell.ts';
import type { Mail } from '../../core/mail/mail.ts';

const run = promisify(execFile);

const ROOT = join(import.meta.dirname, '..', '..');
export const MAIL_INTEROP = process.env.MAIL_INTEROP ?? join(ROOT, '..', 'shared', 'interop', 'mail');
export const MAIL_LAB_DIR = '/tmp/lowband-mail-lab';
const LOCK = '/tmp/lowband-mail-lab.lock';
const SCRIPT = join(MAIL_INTEROP, 'mail-lab.sh');
const ENV = { ...process.env, MAIL_LAB_DIR };

export const LAB = { host: '127.0.0.1', imap: 10143, pop3: 10110, smtp: 10025, domain: 'lab.test' } as const;

/**
 * mail-lab.sh with a command, under the lab's lock. `-o`: the script does not get the lock's fd, or
 * the daemons `start` launches would inherit it and hold the lock for as long as they run.
 */
async function lab(...args: string[]): Promise<string> {
  const { stdout } = await run('flock', ['-o', LOCK, SCRIPT, ...args], { env: ENV, timeout: 120_000 });
  return stdout;
}

let started: Promise<string> | undefined;

/** Starts the lab (once per process; a running lab is left as it is). */
export function startMailLab(): Promise<string> {
  started ??= lab('start');
  return started;
}

export interface LabUser {
  name: string;
  address: string;
  password: string;
}

/** A new mailbox user with a name no other test uses. */
export async function labUser(prefix: string): Promise<LabUser> {
  await startMailLab();
  const name = `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9._-]/g, '');
  const password = `pw-${randomBytes(6).toString('hex')}`;
  await lab('adduser', name, password);
  return { name, address: `${name}@${LAB.domain}`, password };
}

/**
 * Dovecot's LDA once, tried again a few times: right after `adduser` (or while another part's
 * `adduser` rewrites the passwd-file) Dovecot's auth process has answered "unknown user" here.
 */
export async function lda(user: string, file: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run(SCRIPT, ['deliver', user, file], { env: ENV, timeout: 30_000 });
      return;
    } catch (err) {
      if (attempt === 5) throw err;
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
  }
}

/** Puts messages straight into a user's INBOX through Dovecot's LDA, in order. */
export async function deliver(user: LabUser, ...messages: (string | Buffer)[]): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'mail-deliver-'));
  try {
    for (const [i, message] of messages.entries()) {
      const file = join(dir, `${i}.eml`);
      await writeFile(file, message);
      await lda(user.name, file);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Gives the user's INBOX a new UIDVALIDITY, as a server that rebuilt its mailbox does (POP3 UIDLs change with it here). */
export async function renumber(user: LabUser, validity: number): Promise<void> {
  const doveadm = (...args: string[]) => run('doveadm', ['-c', join(MAIL_LAB_DIR, 'etc', 'dovecot.conf'), 'mailbox', ...args], { env: ENV, timeout: 30_000 });
  await doveadm('update', '-u', user.name, '--uid-validity', String(validity), 'INBOX');
  const { stdout } = await doveadm('status', '-u', user.name, 'uidvalidity', 'INBOX');
  if (!stdout.includes(`uidvalidity=${validity}`)) throw new Error(`INBOX of ${user.name} kept its UIDVALIDITY: ${stdout}`);
}

/** The messages Postfix delivered into a user's Maildir (new and cur), as text. */
async function maildir(user: LabUser): Promise<string[]> {
  const messages: string[] = [];
  for (const sub of ['new', 'cur']) {
    const dir = join(MAIL_LAB_DIR, 'var', user.name, 'Maildir', sub);
    for (const name of (await readdir(dir).catch(() => [] as string[])).sort()) messages.push(await readFile(join(dir, name), 'utf8'));
  }
  return messages;
}

/**
 * The user's Maildir once `count` messages are in it (or as it is after `waitMs`): Postfix
 * delivers a moment after it took a message. Waiting on past the count catches a second delivery.
 */
export async function delivered(user: LabUser, count: number, waitMs = 10_000): Promise<string[]> {
  const until = Date.now() + waitMs;
  for (;;) {
    const messages = await maildir(user);
    if (messages.length >= count || Date.now() > until) return messages;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Dovecot's log lines about a user (e.g. its failed logins). */
export async function dovecotLog(user: LabUser): Promise<string[]> {
  const text = await readFile(join(MAIL_LAB_DIR, 'log', 'dovecot.log'), 'utf8');
  return text.split('\n').filter((line) => line.includes(user.name));
}

/** The settings of a mail account on the lab for `user` (the form's fields). */
export function labAccount(user: LabUser, protocol: 'imap' | 'pop3', overrides: Record<string, string> = {}): Record<string, string> {
  return {
    name: `${protocol} ${user.name.slice(0, 20)}`,
    address: user.address,
    protocol,
    incoming: `${LAB.host}:${protocol === 'imap' ? LAB.imap : LAB.pop3}`,
    login: user.name,
    password: user.password,
    outgoing: `${LAB.host}:${LAB.smtp}`,
    ...overrides,
  };
}

/** Checks until `want` messages were stored in all (Postfix hands mail to Dovecot a moment after accepting it); bounded. */
export async function checkUntil(mail: Mail, actor: Actor, account: number, want: number): Promise<number> {
  let got = 0;
  for (let i = 0; i < 100 && got < want; i++) {
    got += await mail.check(actor, account);
    if (got < want) await new Promise((r) => setTimeout(r, 100));
  }
  return got;
}
