// The mail application of one cell: a user's accounts, checking them into the inbox, reading, and
// sending through the outbox. Every operation is for the actor's own mail on their own cell; all
// talk with remote servers goes through the shared ServerQueue.
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { DuplicateKeyError } from '../store/store.ts';
import type { Actor } from '../cell/cell.ts';
import { CoreError, conflict, forbidden, invalid, notFound } from '../errors.ts';
import { fileContent } from '../files/files.ts';
import { forwardSubject, quoteForward, quoteReply, replySubject, type Original } from '../../transcode/reply.ts';
import { Secrets } from '../cell/secrets.ts';
import { migrateMail } from './move.ts';
import { checkAddress, incomingLogin, outgoingLogin, readAccount, toAccount, type Account, type AccountInput, type AccountRow } from './accounts.ts';
import { ServerQueue } from './queue.ts';
import { classify, serverKey } from './server.ts';
import { noteFailure, noteSuccess, refuseIfWaiting, type Attempts } from './attempts.ts';
import { checkImap } from './imap.ts';
import { checkPop3 } from './pop3.ts';
import { sendSmtp } from './smtp.ts';
import { counts, FOLDERS, insertMessage, knownSources, listFolder, readMessage, storeIncoming, type Folder, type Message, type MessageSummary } from './mailbox.ts';

export interface MailOptions {
  queue: ServerQueue;
  /** Bytes of attachments kept per user; beyond, an attachment is listed without its bytes. */
  quota: number;
  /** The first wait after a server failed; it doubles with each failure in a row, up to an hour. */
  retryMs: number;
  now: () => number;
}

export interface Draft {
  account: string;
  to: string;
  cc?: string;
  subject: string;
  body: string;
  /** The message this answers (its text is quoted below the body). */
  replyTo?: number;
  /** The message passed on (its text and stored attachments go along). */
  forward?: number;
}

export interface SendResult {
  id: number;
  sent: boolean;
  problem: string;
}

/** What one retry round did (see retryDue). */
export interface RetryReport {
  sent: number;
  notSent: number;
  checked: number;
  checkFailed: number;
}

export interface MailSummary {
  accounts: Account[];
  inbox: number;
  unread: number;
  sent: number;
  outbox: number;
}

const MAX_BODY = 60_000;
const MAX_RECIPIENTS = 20;

export class Mail {
  readonly cellId: string;
  readonly store: Store;
  readonly #secrets: Secrets;
  readonly #options: MailOptions;
  /** Checks running now, by account: a second request for the same account waits for the first. */
  readonly #checking = new Map<number, Promise<number>>();

  private constructor(cellId: string, store: Store, secrets: Secrets, options: MailOptions) {
    this.cellId = cellId;
    this.store = store;
    this.#secrets = secrets;
    this.#options = options;
  }

  static async open(cellId: string, store: Store, options: MailOptions): Promise<Mail> {
    await migrateMail(store);
    return new Mail(cellId, store, await Secrets.open(store), options);
  }

  /** Mail is its owner's alone, on their own cell: no other cell's user, no sharing. */
  #owner(actor: Actor): string {
    if (actor.cellId !== this.cellId || actor.assertion) throw forbidden('Mail is read on your own cell only.');
    return actor.login;
  }

  async #row(actor: Actor, accountId: number): Promise<AccountRow> {
    return this.#ownRow(this.#owner(actor), accountId);
  }

  async #ownRow(owner: string, accountId: number): Promise<AccountRow> {
    const row = await this.store.get<AccountRow>('SELECT * FROM mail_accounts WHERE owner = ? AND id = ?', [owner, accountId]);
    if (!row) throw notFound('There is no such mail account.');
    return row;
  }

  // Accounts ---------------------------------------------------------------------------

  async summary(actor: Actor): Promise<MailSummary> {
    const owner = this.#owner(actor);
    const rows = await this.store.all<AccountRow>('SELECT * FROM mail_accounts WHERE owner = ? ORDER BY name, id', [owner]);
    return { accounts: rows.map(toAccount), ...(await counts(this.store, owner)) };
  }

  async account(actor: Actor, accountId: number): Promise<Account> {
    return toAccount(await this.#row(actor, accountId));
  }

  /** Adds an account, or changes one (then a stopped account is tried again: the user has looked at it). */
  async saveAccount(actor: Actor, input: AccountInput, accountId?: number): Promise<number> {
    const owner = this.#owner(actor);
    const previous = accountId === undefined ? undefined : await this.#row(actor, accountId);
    const columns = { ...readAccount(input, this.#secrets, previous), state: 'ok', problem: '', retry_at: 0, failures: 0 };
    const names = Object.keys(columns);
    try {
      if (previous) {
        // Another server (or a renumbered one) is a new mailbox: its UIDs start afresh.
        const sameServer = previous.in_host === columns.in_host && Number(previous.in_port) === columns.in_port;
        const reset = sameServer ? '' : ', imap_validity = 0, imap_last_uid = 0';
        await this.store.run(`UPDATE mail_accounts SET ${names.map((n) => `${n} = ?`).join(', ')}${reset} WHERE id = ? AND owner = ?`, [...Object.values(columns), previous.id, owner]);
        // Messages that waited for a new password may go now.
        await this.store.run("UPDATE mail_messages SET state = 'retry', retry_at = 0 WHERE account_id = ? AND folder = 'outbox' AND state = 'bad-password'", [previous.id]);
        return Number(previous.id);
      }
      const { lastId } = await this.store.run(
        `INSERT INTO mail_accounts (owner, ${names.join(', ')}, imap_validity, imap_last_uid, checked_at, created_at) VALUES (?, ${names.map(() => '?').join(', ')}, 0, 0, 0, ?)`,
        [owner, ...Object.values(columns), this.#options.now()],
      );
      return lastId;
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw conflict(`You already have an account called "${columns.name}".`, 'name');
      throw err;
    }
  }

  // Checking -----------------------------------------------------------------------------

  /**
   * Fetches the new messages of one account into the inbox and returns how many were new. A server
   * that refused the password is not asked again until the password changes; one that failed
   * otherwise not before its retry time.
   */
  async check(actor: Actor, accountId: number): Promise<number> {
    return this.#checkOnce(await this.#row(actor, accountId));
  }

  #checkOnce(row: AccountRow): Promise<number> {
    const running = this.#checking.get(row.id);
    if (running) return running;
    const check = this.#check(row).finally(() => this.#checking.delete(row.id));
    this.#checking.set(row.id, check);
    return check;
  }

  async #check(row: AccountRow): Promise<number> {
    refuseIfWaiting(attemptsOf(row), this.#options.now());
    const server = incomingLogin(row, this.#secrets);
    const { quota, now } = this.#options;
    let stored = 0;
    const take = async (source: string, raw: Buffer, after?: (tx: Store) => Promise<void>) => {
      if (await storeIncoming(this.store, { owner: row.owner, accountId: row.id, source, raw }, quota, now(), after)) stored++;
    };
    try {
      await this.#options.queue.run(serverKey(server), async (signal) => {
        if (row.protocol === 'imap') {
          const place = { validity: BigInt(row.imap_validity), lastUid: Number(row.imap_last_uid) };
          await checkImap(server, place, ({ validity, uid, raw }) =>
            take(`imap:${validity}:${uid}`, raw, (tx) =>
              tx.run('UPDATE mail_accounts SET imap_validity = ?, imap_last_uid = ? WHERE id = ? AND (imap_validity <> ? OR imap_last_uid < ?)', [validity, uid, row.id, validity, uid]).then(() => {}),
            ), signal);
        } else {
          const known = await knownSources(this.store, row.id, 'pop3:');
          await checkPop3(server, (uidl) => known.has(`pop3:${uidl}`), ({ uidl, raw }) => take(`pop3:${uidl}`, raw), signal);
        }
      });
    } catch (err) {
      const said = await noteFailure(this.store, 'mail_accounts', attemptsOf(row), classify(err, server), now(), this.#options.retryMs);
      const kept = stored ? ` ${stored} new message${stored === 1 ? ' was' : 's were'} stored before that.` : '';
      throw new CoreError(said.kind, said.message + kept);
    }
    await noteSuccess(this.store, 'mail_accounts', row.id, { set: 'checked_at = ?', params: [now()] });
    return stored;
  }

  // Reading ------------------------------------------------------------------------------

  async folder(actor: Actor, folder: string, offset: number, limit: number): Promise<{ items: MessageSummary[]; more: boolean }> {
    if (!FOLDERS.includes(folder as Folder)) throw notFound('There is no such mail folder.');
    return listFolder(this.store, this.#owner(actor), folder as Folder, offset, limit);
  }

  /** One message, marked read. */
  async message(actor: Actor, id: number): Promise<Message> {
    const owner = this.#owner(actor);
    const message = await readMessage(this.store, owner, id);
    if (!message) throw notFound('There is no such message.');
    if (message.unread) await this.store.run('UPDATE mail_messages SET unread = 0 WHERE id = ? AND owner = ?', [id, owner]);
    return message;
  }

  async attachment(actor: Actor, fileId: number) {
    const file = await fileContent(this.store, this.#owner(actor), fileId);
    if (!file) throw notFound('This attachment is not stored.');
    return file;
  }

  // Sending --------------------------------------------------------------------------------

  /** Puts the message in the outbox, then tries to send it; a failure leaves it there to send again later. */
  async send(actor: Actor, draft: Draft): Promise<SendResult> {
    const owner = this.#owner(actor);
    const accountId = Number(draft.account);
    if (!Number.isInteger(accountId) || accountId < 1) throw invalid('Choose the account to send from.', 'account');
    const row = await this.#row(actor, accountId);
    const to = addressList(draft.to, 'to');
    if (!to) throw invalid('Type the address to send to.', 'to');
    const cc = addressList(draft.cc ?? '', 'cc');
    const subject = (draft.subject ?? '').replace(/[\r\n\t]+/g, ' ').trim();
    if (subject.length > 200) throw invalid('A subject has at most 200 characters.', 'subject');
    if ((draft.body ?? '').length > MAX_BODY) throw invalid(`A message has at most ${MAX_BODY} characters.`, 'body');
    const base = draft.replyTo ?? draft.forward;
    const original = base === undefined ? undefined : await this.message(actor, base);
    const asOriginal = (m: Message): Original => ({ from: m.from, to: m.to, date: new Date(m.date).toUTCString(), subject: m.subject, text: m.body });
    const body = !original ? draft.body : draft.replyTo !== undefined ? quoteReply(draft.body, asOriginal(original)) : quoteForward(draft.body, asOriginal(original));
    const files = draft.forward !== undefined && original ? await Promise.all(original.attachments.filter((a) => a.stored).map((a) => fileContent(this.store, owner, a.id))) : [];
    const now = this.#options.now();
    const id = await this.store.transaction((tx) =>
      insertMessage(
        tx,
        owner,
        {
          folder: 'outbox',
          accountId: row.id,
          from: row.name ? `${row.name} <${row.address}>` : row.address,
          to,
          cc,
          date: now,
          subject: subject || (original ? (draft.replyTo !== undefined ? replySubject(original.subject) : forwardSubject(original.subject)) : ''),
          body,
          messageId: `<${randomBytes(12).toString('hex')}.${now}@${row.address.split('@')[1]}>`,
          inReplyTo: draft.replyTo !== undefined ? (original?.messageId ?? '') : '',
          unread: false,
        },
        files.flatMap((f) => (f ? [{ name: f.name, type: f.type, content: f.content }] : [])),
        this.#options.quota,
        now,
      ),
    );
    return this.sendAgain(actor, id);
  }

  /**
   * Sends an outbox message. Only one attempt runs at a time for a message (a claim in the store,
   * which lapses if the sender dies), and a sent message moves to sent at once: never sent twice
   * by us. A server that took the message but never said so is the one case left (see the README).
   */
  async sendAgain(actor: Actor, id: number): Promise<SendResult> {
    return this.#send(this.#owner(actor), id);
  }

  async #send(owner: string, id: number): Promise<SendResult> {
    const message = await readMessage(this.store, owner, id);
    if (!message || message.folder !== 'outbox') throw notFound('This message is not in your outbox.');
    const row = await this.#ownRow(owner, message.accountId);
    const now = this.#options.now();
    try {
      refuseIfWaiting(message.attempts, now);
    } catch (err) {
      return { id, sent: false, problem: `Not sent: ${(err as Error).message}` };
    }
    // The claim also re-reads the wait: an attempt that failed meanwhile has set a new one.
    const claim = await this.store.run(
      "UPDATE mail_messages SET sending_until = ? WHERE id = ? AND owner = ? AND folder = 'outbox' AND sending_until < ? AND retry_at <= ? AND state <> 'bad-password'",
      [now + 3 * this.#options.queue.options.timeoutMs, id, owner, now, now],
    );
    if (!claim.changes) return { id, sent: false, problem: 'This message is being sent right now.' };
    const server = outgoingLogin(row, this.#secrets);
    try {
      const attachments = await Promise.all(message.attachments.filter((a) => a.stored).map((a) => fileContent(this.store, owner, a.id)));
      await this.#options.queue.run(serverKey(server), (signal) =>
        sendSmtp(
          server,
          {
            from: { name: row.name, address: row.address },
            to: message.to,
            cc: message.cc,
            subject: message.subject,
            text: message.body,
            date: new Date(message.date),
            messageId: message.messageId,
            inReplyTo: message.inReplyTo,
            attachments: attachments.flatMap((f) => (f ? [{ filename: f.name, contentType: f.type, content: f.content }] : [])),
          },
          signal,
          this.#options.queue.options.timeoutMs,
        ),
      );
    } catch (err) {
      const said = await noteFailure(this.store, 'mail_messages', message.attempts, classify(err, server), this.#options.now(), this.#options.retryMs, { set: 'sending_until = 0', params: [] });
      return { id, sent: false, problem: `Not sent: ${said.message} It waits in your outbox.` };
    }
    await noteSuccess(this.store, 'mail_messages', id, { set: "folder = 'sent', sending_until = 0, sent_at = ?", params: [this.#options.now()] });
    return { id, sent: true, problem: '' };
  }

  // Retrying by itself ----------------------------------------------------------------------

  /**
   * "Try again later", done: sends the outbox messages and checks the accounts whose wait after a
   * failure is over, at most `limit` of each, all at once through the server queue (which keeps
   * each server's connection limit and order). A refused password is never retried here: it waits
   * for the user. Sending goes through the same claim as "Send again", so two rounds (or a round
   * and a user) at once send a message once; a failure sets the next, longer wait.
   */
  async retryDue(limit: number): Promise<RetryReport> {
    const now = this.#options.now();
    const report: RetryReport = { sent: 0, notSent: 0, checked: 0, checkFailed: 0 };
    const messages = await this.store.all<{ id: number; owner: string }>(
      `SELECT m.id, m.owner FROM mail_messages m JOIN mail_accounts a ON a.id = m.account_id
       WHERE m.state = 'retry' AND m.retry_at <= ? AND m.folder = 'outbox' AND m.sending_until < ? AND a.state <> 'bad-password'
       ORDER BY m.retry_at, m.id LIMIT ?`,
      [now, now, limit],
    );
    const accounts = await this.store.all<AccountRow>("SELECT * FROM mail_accounts WHERE state = 'retry' AND retry_at <= ? ORDER BY retry_at, id LIMIT ?", [now, limit]);
    await Promise.all([
      ...messages.map(async (m) => {
        const { sent } = await this.#send(m.owner, Number(m.id));
        if (sent) report.sent++;
        else report.notSent++;
      }),
      ...accounts.map((row) =>
        this.#checkOnce(row).then(
          () => report.checked++,
          (err) => {
            if (!(err instanceof CoreError)) throw err;
            report.checkFailed++;
          },
        ),
      ),
    ]);
    return report;
  }
}

const attemptsOf = (row: AccountRow): Attempts => ({ id: Number(row.id), state: row.state, problem: row.problem, retry_at: Number(row.retry_at), failures: Number(row.failures) });

/** A comma-separated list of addresses ("Name <a@b>" or "a@b"), checked, as one header line. */
function addressList(raw: string, field: string): string {
  const parts = raw
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length > MAX_RECIPIENTS) throw invalid(`At most ${MAX_RECIPIENTS} addresses.`, field);
  return parts
    .map((p) => {
      const m = /^(.*?)\s*<([^>]*)>$/.exec(p);
      const address = checkAddress(m ? m[2] : p, field);
      const name = m?.[1].replace(/["\\]/g, '').trim();
      return name ? `"${name}" <${address}>` : address;
    })
    .join(', ');
}
