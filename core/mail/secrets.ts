// Account passwords at rest: sealed with AES-256-GCM under a key of the cell, made on first use.
// A sealed value is `v1:<iv>:<tag>:<ciphertext>` in base64; it is opened only to log in to a server.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DuplicateKeyError, type Store } from '../store/store.ts';

export class Secrets {
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
  }

  static async open(store: Store): Promise<Secrets> {
    const read = () => store.get<{ secret: string }>('SELECT secret FROM mail_key WHERE id = 1');
    let row = await read();
    if (!row) {
      row = { secret: randomBytes(32).toString('base64') };
      try {
        await store.run('INSERT INTO mail_key (id, secret) VALUES (1, ?)', [row.secret]);
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
