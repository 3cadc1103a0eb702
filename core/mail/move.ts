// Mail moves with its owner (a part of the move: core/cell/export.ts). Accounts go with their
// passwords opened with the old cell's key and sealed with the new cell's; the messages, the
// attachments among the owner's files (and so their quota use), and which server message each
// came from (so the next check fetches only new mail) go with their ids renumbered.
import type { Row, Store } from '../store/store.ts';
import { migrate } from '../store/migrate.ts';
import { insertRow, MOVING_PARTS, type MovingPart } from '../cell/export.ts';
import { FILE_MIGRATIONS } from '../files/files.ts';
import type { AccountRow } from './accounts.ts';
import { fileOrigin } from './mailbox.ts';
import { MAIL_MIGRATIONS } from './schema.ts';
import { movingSecrets } from '../cell/secrets.ts';

/** The mail tables and the files table on a cell store (Mail.open and the move both need them). */
export async function migrateMail(store: Store): Promise<void> {
  await migrate(store, 'mail', MAIL_MIGRATIONS);
  await migrate(store, 'files', FILE_MIGRATIONS);
}

interface OwnersMail {
  /** The accounts, their two passwords opened (ACCOUNT_SECRETS), to be sealed on the target. */
  accounts: AccountRow[];
  messages: Row[];
  sources: Row[];
  files: Row[];
}

const ATTACHMENTS = `origin LIKE 'mail:%'`;
const ORIGIN = /^mail:(\d+)$/;

/** Maps an old id to the new one; a row naming what did not move is a broken invariant, not data to drop. */
function renumbered(ids: Map<number, number>, old: unknown, what: string): number {
  const id = ids.get(Number(old));
  if (id === undefined) throw new Error(`A moving ${what} ${String(old)} has no new id.`);
  return id;
}

const withoutId = ({ id: _, ...row }: Row): Row => row;
const ACCOUNT_SECRETS = movingSecrets(['in_secret', 'out_secret']);

export const MAIL_MOVE: MovingPart<OwnersMail> = {
  prepare: migrateMail,

  async read(from, login, lock) {
    return {
      accounts: await ACCOUNT_SECRETS.open(from, await from.all<AccountRow>(`SELECT * FROM mail_accounts WHERE owner = ? ORDER BY id${lock}`, [login])),
      messages: await from.all(`SELECT * FROM mail_messages WHERE owner = ? ORDER BY id${lock}`, [login]),
      sources: await from.all(`SELECT s.* FROM mail_sources s JOIN mail_accounts a ON a.id = s.account_id WHERE a.owner = ?${lock}`, [login]),
      files: await from.all(`SELECT * FROM files WHERE owner = ? AND ${ATTACHMENTS} ORDER BY id${lock}`, [login]),
    };
  },

  async write(to, mail, ids) {
    const accounts = ids.table('mail_accounts');
    const messages = ids.table('mail_messages');
    for (const row of await ACCOUNT_SECRETS.seal(to, mail.accounts)) accounts.set(Number(row.id), await insertRow(to, 'mail_accounts', withoutId(row)));
    for (const m of mail.messages) {
      messages.set(Number(m.id), await insertRow(to, 'mail_messages', { ...withoutId(m), account_id: renumbered(accounts, m.account_id, 'message’s account') }));
    }
    for (const s of mail.sources) {
      await insertRow(to, 'mail_sources', { ...s, account_id: renumbered(accounts, s.account_id, 'source’s account'), message: renumbered(messages, s.message, 'source’s message') });
    }
    for (const f of mail.files) {
      const old = ORIGIN.exec(String(f.origin))?.[1];
      await insertRow(to, 'files', { ...withoutId(f), origin: fileOrigin(renumbered(messages, old, 'attachment’s message')) });
    }
  },

  async remove(from, login) {
    await from.run('DELETE FROM mail_sources WHERE account_id IN (SELECT id FROM mail_accounts WHERE owner = ?)', [login]);
    await from.run('DELETE FROM mail_messages WHERE owner = ?', [login]);
    await from.run('DELETE FROM mail_accounts WHERE owner = ?', [login]);
    await from.run(`DELETE FROM files WHERE owner = ? AND ${ATTACHMENTS}`, [login]);
  },
};

MOVING_PARTS.push(MAIL_MOVE);
