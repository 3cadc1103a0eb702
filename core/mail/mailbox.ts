// The email databases of one cell (seed 000, paragraphs 61 and 83): each message read is one entry
// of its owner's inbox, with its attachments among the owner's files; what the user writes waits
// in the outbox until its server takes it, then moves to sent.
import { createHash } from 'node:crypto';
import type { Store } from '../store/store.ts';
import { DuplicateKeyError } from '../store/store.ts';
import { addFiles, filesOf, type FileEntry, type NewFile } from '../files/files.ts';
import { parseMail } from '../../transcode/mime.ts';
import type { Attempts } from './attempts.ts';

export const FOLDERS = ['inbox', 'sent', 'outbox'] as const;
export type Folder = (typeof FOLDERS)[number];

export interface MessageSummary {
  id: number;
  folder: Folder;
  accountId: number;
  from: string;
  to: string;
  subject: string;
  /** The message's own date, or when it arrived here when it had none. */
  date: number;
  unread: boolean;
  /** Why an outbox message is not sent yet. */
  problem: string;
  /** Its failed attempts (see attempts.ts). */
  attempts: Attempts;
}

export interface Message extends MessageSummary {
  cc: string;
  body: string;
  messageId: string;
  inReplyTo: string;
  attachments: FileEntry[];
}

type MessageRow = {
  id: number;
  folder: string;
  account_id: number;
  sender: string;
  recipients: string;
  cc: string;
  sent_at: number;
  subject: string;
  body: string;
  message_id: string;
  in_reply_to: string;
  unread: number;
  state: string;
  problem: string;
  retry_at: number;
  failures: number;
};

const SUMMARY = 'id, folder, account_id, sender, recipients, sent_at, subject, unread, state, problem, retry_at, failures';

const toSummary = (r: Omit<MessageRow, 'cc' | 'body' | 'message_id' | 'in_reply_to'>): MessageSummary => ({
  id: Number(r.id),
  folder: r.folder as Folder,
  accountId: Number(r.account_id),
  from: r.sender,
  to: r.recipients,
  subject: r.subject,
  date: Number(r.sent_at),
  unread: Boolean(Number(r.unread)),
  problem: r.problem,
  attempts: { id: Number(r.id), state: r.state, problem: r.problem, retry_at: Number(r.retry_at), failures: Number(r.failures) },
});

/** Headers are stored as keys of at most 255 characters where they are indexed. */
const clip = (s: string, n = 255) => (s.length > n ? s.slice(0, n) : s);

export const fileOrigin = (messageId: number) => `mail:${messageId}`;

export interface NewMessage {
  folder: Folder;
  accountId: number;
  from: string;
  to: string;
  cc: string;
  date: number;
  subject: string;
  body: string;
  messageId: string;
  inReplyTo: string;
  unread: boolean;
}

export async function insertMessage(tx: Store, owner: string, m: NewMessage, files: readonly NewFile[], quota: number, now: number): Promise<number> {
  const { lastId } = await tx.run(
    `INSERT INTO mail_messages (owner, folder, account_id, sender, recipients, cc, sent_at, subject, body, message_id, in_reply_to, unread, state, problem, retry_at, failures, sending_until, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ok', '', 0, 0, 0, ?)`,
    [owner, m.folder, m.accountId, m.from, m.to, m.cc, m.date, m.subject, m.body, clip(m.messageId), clip(m.inReplyTo), m.unread ? 1 : 0, now],
  );
  if (files.length) await addFiles(tx, owner, fileOrigin(lastId), files, quota, now);
  return lastId;
}

export interface Incoming {
  owner: string;
  accountId: number;
  /** Where on the server it came from: 'imap:<uidvalidity>:<uid>' or 'pop3:<uidl>'. */
  source: string;
  raw: Buffer;
}

/**
 * Stores a message read from a server, once: its source and the message go in one transaction, so a
 * check cut short either stored it (and the next check skips it) or did not. A message known by its
 * bytes under another source (the server renumbered) only gains the new source. `after` runs inside
 * the transaction (the IMAP check moves its last UID there). True when it was new.
 */
export async function storeIncoming(store: Store, m: Incoming, quota: number, now: number, after?: (tx: Store) => Promise<void>): Promise<boolean> {
  const digest = createHash('sha256').update(m.raw).digest('base64url');
  const parsed = await parseMail(m.raw);
  try {
    return await store.transaction(async (tx) => {
      if (await tx.get('SELECT 1 AS x FROM mail_sources WHERE account_id = ? AND source = ?', [m.accountId, m.source])) return false;
      const same = await tx.get<{ message: number }>('SELECT message FROM mail_sources WHERE account_id = ? AND digest = ?', [m.accountId, digest]);
      const id =
        same?.message ??
        (await insertMessage(
          tx,
          m.owner,
          { folder: 'inbox', accountId: m.accountId, from: parsed.from, to: parsed.to, cc: parsed.cc, date: parsed.date ?? now, subject: parsed.subject, body: parsed.text, messageId: parsed.messageId, inReplyTo: parsed.inReplyTo, unread: true },
          parsed.attachments,
          quota,
          now,
        ));
      await tx.run('INSERT INTO mail_sources (account_id, source, digest, message) VALUES (?, ?, ?, ?)', [m.accountId, m.source, digest, id]);
      await after?.(tx);
      return !same;
    });
  } catch (err) {
    // Another check of the same account stored it first.
    if (err instanceof DuplicateKeyError) return false;
    throw err;
  }
}

export async function knownSources(store: Store, accountId: number, prefix: string): Promise<Set<string>> {
  const rows = await store.all<{ source: string }>('SELECT source FROM mail_sources WHERE account_id = ? AND source LIKE ?', [accountId, `${prefix}%`]);
  return new Set(rows.map((r) => r.source));
}

export async function listFolder(store: Store, owner: string, folder: Folder, offset: number, limit: number): Promise<{ items: MessageSummary[]; more: boolean }> {
  const rows = await store.all<MessageRow>(`SELECT ${SUMMARY} FROM mail_messages WHERE owner = ? AND folder = ? ORDER BY id DESC LIMIT ${limit + 1} OFFSET ${offset}`, [owner, folder]);
  return { items: rows.slice(0, limit).map(toSummary), more: rows.length > limit };
}

export async function counts(store: Store, owner: string): Promise<Record<Folder, number> & { unread: number }> {
  const rows = await store.all<{ folder: string; n: number; unread: number | null }>('SELECT folder, COUNT(*) AS n, SUM(unread) AS unread FROM mail_messages WHERE owner = ? GROUP BY folder', [owner]);
  const result = { inbox: 0, sent: 0, outbox: 0, unread: 0 };
  for (const r of rows) {
    result[r.folder as Folder] = Number(r.n);
    if (r.folder === 'inbox') result.unread = Number(r.unread ?? 0);
  }
  return result;
}

export async function readMessage(store: Store, owner: string, id: number): Promise<Message | undefined> {
  const row = await store.get<MessageRow>(`SELECT ${SUMMARY}, cc, body, message_id, in_reply_to FROM mail_messages WHERE owner = ? AND id = ?`, [owner, id]);
  if (!row) return undefined;
  return { ...toSummary(row), cc: row.cc, body: row.body, messageId: row.message_id, inReplyTo: row.in_reply_to, attachments: await filesOf(store, owner, fileOrigin(id)) };
}
