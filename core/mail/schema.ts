// The mail tables of one cell (migration kind 'mail'): the accounts, the email databases (inbox,
// sent, and the outbox of what is not sent yet) and which message of which server each stored
// message came from.
import type { DialectTypes, Migration } from '../store/migrate.ts';
import { SECRET_KEY_STEP } from '../cell/secrets.ts';

/** An account's server, `in_…` for reading and `out_…` for sending: where, how, who, the sealed password. */
const serverColumns = (t: DialectTypes, side: 'in' | 'out') =>
  `${side}_host ${t.key} NOT NULL, ${side}_port INTEGER NOT NULL, ${side}_tls INTEGER NOT NULL, ${side}_login ${t.key} NOT NULL, ${side}_secret ${t.text} NOT NULL`;

export const MAIL_MIGRATIONS: readonly Migration[] = [
  (t) => [
    // The key account passwords were sealed with, until the cell took it over (step 3).
    `CREATE TABLE mail_key (
      id INTEGER NOT NULL PRIMARY KEY,
      secret ${t.key} NOT NULL
    )${t.tableSuffix}`,
    // Passwords are AES-256-GCM sealed with the cell's key (core/cell/secrets.ts); the state says
    // why the account is not checked now ('bad-password' waits for a new password, never retried).
    `CREATE TABLE mail_accounts (
      id ${t.id},
      owner ${t.key} NOT NULL,
      name ${t.key} NOT NULL,
      address ${t.key} NOT NULL,
      protocol ${t.key} NOT NULL,
      ${serverColumns(t, 'in')},
      ${serverColumns(t, 'out')},
      state ${t.key} NOT NULL,
      problem ${t.text} NOT NULL,
      retry_at BIGINT NOT NULL,
      failures INTEGER NOT NULL,
      imap_validity BIGINT NOT NULL,
      imap_last_uid BIGINT NOT NULL,
      checked_at BIGINT NOT NULL,
      created_at BIGINT NOT NULL,
      UNIQUE (owner, name)
    )${t.tableSuffix}`,
    // folder: 'inbox' | 'sent' | 'outbox'. An outbox message keeps its Message-ID through retries, and
    // its failed attempts as an account keeps its own (attempts.ts).
    `CREATE TABLE mail_messages (
      id ${t.id},
      owner ${t.key} NOT NULL,
      folder ${t.key} NOT NULL,
      account_id BIGINT NOT NULL,
      sender ${t.text} NOT NULL,
      recipients ${t.text} NOT NULL,
      cc ${t.text} NOT NULL,
      sent_at BIGINT NOT NULL,
      subject ${t.text} NOT NULL,
      body ${t.text} NOT NULL,
      message_id ${t.key} NOT NULL,
      in_reply_to ${t.key} NOT NULL,
      unread INTEGER NOT NULL,
      state ${t.key} NOT NULL,
      problem ${t.text} NOT NULL,
      retry_at BIGINT NOT NULL,
      failures INTEGER NOT NULL,
      sending_until BIGINT NOT NULL,
      created_at BIGINT NOT NULL
    )${t.tableSuffix}`,
    `CREATE INDEX mail_messages_folder ON mail_messages (owner, folder, id)`,
    // One row per message taken from a server: 'imap:<uidvalidity>:<uid>' or 'pop3:<uidl>', and the
    // digest of its bytes, which recognises it again after the server renumbers (a new UIDVALIDITY).
    `CREATE TABLE mail_sources (
      account_id BIGINT NOT NULL,
      source ${t.key} NOT NULL,
      digest ${t.key} NOT NULL,
      message BIGINT NOT NULL,
      PRIMARY KEY (account_id, source)
    )${t.clusteredSuffix}`,
    `CREATE INDEX mail_sources_digest ON mail_sources (account_id, digest)`,
  ],
  // What the retry tick looks for: failed sends and checks whose wait is over (core/mail/retry.ts).
  () => [
    `CREATE INDEX mail_messages_retry ON mail_messages (state, retry_at)`,
    `CREATE INDEX mail_accounts_retry ON mail_accounts (state, retry_at)`,
  ],
  // The key is the cell's now (core/cell/secrets.ts): mail_key, made by the first step, goes.
  SECRET_KEY_STEP,
];
