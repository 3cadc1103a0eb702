// Checking an IMAP inbox with imapflow: every message whose UID is above the last one stored, in UID
// order, under the mailbox's UIDVALIDITY. Each message is handed to `take` one at a time, and the
// caller stores it with its UID in one transaction, so an interrupted check resumes where it stopped.
import { ImapFlow } from 'imapflow';
import { conversation, type ServerLogin } from './server.ts';

export interface ImapPlace {
  validity: bigint;
  lastUid: number;
}

export interface ImapMessage {
  validity: bigint;
  uid: number;
  raw: Buffer;
}

export async function checkImap(server: ServerLogin, since: ImapPlace, take: (m: ImapMessage) => Promise<void>, signal: AbortSignal): Promise<void> {
  const client = new ImapFlow({
    host: server.host,
    port: server.port,
    secure: server.tls,
    auth: { user: server.login, pass: server.password },
    logger: false,
    // Plain IMAP on a trusted network stays plain; on anything else the account says TLS.
    doSTARTTLS: server.tls ? undefined : false,
    disableAutoIdle: true,
  });
  client.on('error', () => {}); // a dropped socket is reported by the pending command
  await conversation(signal, () => client.close(), async () => {
    await client.connect();
    const lock = await client.getMailboxLock('INBOX', { readOnly: true });
    try {
      const mailbox = client.mailbox;
      if (!mailbox) throw new Error('INBOX could not be opened');
      const validity = BigInt(mailbox.uidValidity);
      // A new UIDVALIDITY renumbers every message: start again from the first (the caller knows
      // messages it already has by their bytes).
      const after = validity === since.validity ? since.lastUid : 0;
      if (mailbox.exists === 0 || (mailbox.uidNext && mailbox.uidNext <= after + 1)) return;
      // "n:*" always includes the highest UID, even below n: the filter keeps only new ones.
      for await (const message of client.fetch(`${after + 1}:*`, { uid: true, source: true }, { uid: true })) {
        if (message.uid <= after || !message.source) continue;
        await take({ validity, uid: message.uid, raw: message.source });
        signal.throwIfAborted();
      }
    } finally {
      lock.release();
    }
    await client.logout();
  });
}
