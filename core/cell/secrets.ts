// Passwords a cell keeps for its users to log in elsewhere (mail servers, remote SyncML portals),
// at rest: sealed with AES-256-GCM under a key of the cell, made on first use. A sealed value is
// `v1:<iv>:<tag>:<ciphertext>` in base64; it is opened only to log in to a server, or to be
// sealed again with another cell's key when its owner moves there (movingSecrets).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DuplicateKeyError, type Row, type Store } from '../store/store.ts';
import type { Migration } from '../store/migrate.ts';

/**
 * The key's table. Mail had the key first, in its own table (mail_key, core/mail/schema.ts): the
 * step takes that key over, so what mail sealed before still opens. It is the cell's migration 4
 * and mail's 3, whichever runs first (each statement is harmless the second time): the key is the
 * cell's before anything can seal with it, and the empty mail_key mail's first step still makes
 * on a new cell goes too.
 */
export const SECRET_KEY_STEP: Migration = (t) => [
  `CREATE TABLE IF NOT EXISTS secret_key (
    id INTEGER NOT NULL PRIMARY KEY,
    secret ${t.key} NOT NULL
  )${t.tableSuffix}`,
  `CREATE TABLE IF NOT EXISTS mail_key (id INTEGER NOT NULL PRIMARY KEY, secret ${t.key} NOT NULL)${t.tableSuffix}`,
  `INSERT INTO secret_key (id, secret) SELECT id, secret FROM mail_key`,
  `DROP TABLE mail_key`,
];

export class Secrets {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  static async open(store: Store): Promise<Secrets> {
    const read = () => store.get<{ secret: string }>('SELECT secret FROM secret_key WHERE id = 1');
    let row = await read();
    if (!row) {
      row = { secret: randomBytes(32).toString('base64') };
      try {
        await store.run('INSERT INTO secret_key (id, secret) VALUES (1, ?)', [row.secret]);
      } catch (err) {
        // Another opener (a move sealing passwords for this cell, another process) made it first.
        if (!(err instanceof DuplicateKeyError)) throw err;
        row = (await read())!;
      }
    }
    return new Secrets(Buffer.from(row.secret, 'base64'));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), sealed].map((p) => (typeof p === 'string' ? p : p.toString('base64'))).join(':');
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== 'v1') throw new Error('unknown sealed-secret format');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}

/**
 * The sealed `columns` of a table whose rows move with their owner (a MovingPart, core/cell/export.ts).
 * A key never leaves its cell, so the part's `read` opens them with the source cell's key and its
 * `write` seals them again with the target's; in between, in memory only, they are in the clear.
 */
export function movingSecrets(columns: readonly string[]) {
  const each = async <R extends Row>(store: Store, rows: R[], change: (secrets: Secrets, value: string) => string): Promise<R[]> => {
    // No key is made on a cell for rows it has none of.
    if (!rows.length) return rows;
    const secrets = await Secrets.open(store);
    return rows.map((row) => ({ ...row, ...Object.fromEntries(columns.map((c) => [c, change(secrets, String(row[c]))])) }));
  };
  return {
    open: <R extends Row>(from: Store, rows: R[]) => each(from, rows, (s, sealed) => s.open(sealed)),
    seal: <R extends Row>(to: Store, rows: R[]) => each(to, rows, (s, plain) => s.seal(plain)),
  };
}
