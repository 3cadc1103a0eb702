// The mail lab's real Postfix (../shared/interop/mail/mail-lab.sh), shared with the other mail
// tests: `start` is idempotent and it is never stopped from here; users are added under a lock,
// with names nobody else uses. What Postfix delivered is read straight from the user's Maildir.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const SCRIPT = join(process.env.MAIL_INTEROP ?? join(ROOT, '..', 'shared', 'interop', 'mail'), 'mail-lab.sh');
export const MAIL_LAB_DIR = process.env.MAIL_LAB_DIR ?? '/tmp/lowband-mail-lab';
export const LAB_SMTP_URL = 'smtp://127.0.0.1:10025';
const env = { ...process.env, MAIL_LAB_DIR };

/** Starts the lab if it is not running, and adds a fresh user; returns its address. */
export async function labMailbox(prefix: string): Promise<{ user: string; address: string }> {
  await run(SCRIPT, ['start'], { env, timeout: 60_000 });
  const user = `${prefix}-${randomBytes(4).toString('hex')}`;
  await run('flock', ['/tmp/lowband-mail-lab.lock', SCRIPT, 'adduser', user, randomBytes(9).toString('hex')], { env, timeout: 60_000 });
  return { user, address: `${user}@lab.test` };
}

/** The messages in a lab user's Maildir (new and cur), as text. */
export async function maildir(user: string): Promise<string[]> {
  const messages: string[] = [];
  for (const sub of ['new', 'cur']) {
    const dir = join(MAIL_LAB_DIR, 'var', user, 'Maildir', sub);
    const names = await readdir(dir).catch(() => [] as string[]);
    for (const name of names.sort()) messages.push(await readFile(join(dir, name), 'utf8'));
  }
  return messages;
}
