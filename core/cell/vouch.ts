// Shared-access authentication between cells (seed 000, paragraphs 76-79): a user's own cell
// vouches for them with a short-lived assertion signed by its key; the cell that owns a shared
// database verifies it with the voucher's public key from the dispatch, never seeing a password.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Store } from '../store/store.ts';
import { forbidden } from '../errors.ts';

/** What an assertion says: `sub` of cell `iss` is acting, toward cell `aud`, until `exp` (ms). */
export interface Claim {
  sub: string;
  iss: string;
  aud: string;
  exp: number;
}

/** How long an assertion holds. Short, so a user removed from a cell is not vouched for long. */
export const ASSERTION_LIFETIME = 60_000;
// A cached assertion is reissued when less than this is left of it, so none expires in flight.
const REISSUE_BEFORE = 15_000;

const encode = (claim: Claim) => Buffer.from(JSON.stringify(claim)).toString('base64url');

/** The key pair a cell signs with: made on first open, kept in the cell's own store. */
export async function cellKey(store: Store): Promise<{ privateKey: KeyObject; publicPem: string }> {
  let row = await store.get<{ private_pem: string; public_pem: string }>('SELECT private_pem, public_pem FROM cell_key WHERE id = 1');
  if (!row) {
    const pair = generateKeyPairSync('ed25519');
    const fresh = {
      private_pem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      public_pem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    };
    await store.run('INSERT INTO cell_key (id, private_pem, public_pem) VALUES (1, ?, ?)', [fresh.private_pem, fresh.public_pem]);
    row = fresh;
  }
  return { privateKey: createPrivateKey(row.private_pem), publicPem: row.public_pem };
}

/** Issues assertions for the users of one cell, reusing each while it has time left. */
export class Voucher {
  readonly #cellId: string;
  readonly #key: KeyObject;
  readonly #now: () => number;
  readonly #issued = new LRUCache<string, { token: string; exp: number }>({ max: 10_000 });

  constructor(cellId: string, key: KeyObject, now: () => number = Date.now) {
    this.#cellId = cellId;
    this.#key = key;
    this.#now = now;
  }

  vouch(login: string, audience: string): string {
    const cacheKey = `${login}\n${audience}`;
    const cached = this.#issued.get(cacheKey);
    if (cached && cached.exp - this.#now() > REISSUE_BEFORE) return cached.token;
    const claim: Claim = { sub: login, iss: this.#cellId, aud: audience, exp: this.#now() + ASSERTION_LIFETIME };
    const body = encode(claim);
    const token = `${body}.${sign(null, Buffer.from(body), this.#key).toString('base64url')}`;
    this.#issued.set(cacheKey, { token, exp: claim.exp });
    return token;
  }
}

/** Checks assertions presented to one cell; a good one is remembered until it expires. */
export class Verifier {
  readonly #cellId: string;
  readonly #publicKeyOf: (cellId: string) => Promise<string | undefined>;
  readonly #now: () => number;
  readonly #seen = new LRUCache<string, Claim>({ max: 10_000 });
  // Parsing a PEM costs more than the check it serves; a cell's key changes rarely, if ever.
  readonly #keys = new LRUCache<string, KeyObject>({ max: 1_000 });

  constructor(cellId: string, publicKeyOf: (cellId: string) => Promise<string | undefined>, now: () => number = Date.now) {
    this.#cellId = cellId;
    this.#publicKeyOf = publicKeyOf;
    this.#now = now;
  }

  #key(pem: string): KeyObject {
    let key = this.#keys.get(pem);
    if (!key) this.#keys.set(pem, (key = createPublicKey(pem)));
    return key;
  }

  /** The claim of a valid assertion meant for this cell; anything else is refused. */
  async verify(token: string | undefined): Promise<Claim> {
    const refuse = () => forbidden('Your cell could not vouch for you here. Log in again.');
    if (!token) throw refuse();
    let claim = this.#seen.get(token);
    if (!claim) {
      const [body, signature, extra] = token.split('.');
      if (!body || !signature || extra !== undefined) throw refuse();
      let parsed: Claim;
      try {
        parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      } catch {
        throw refuse();
      }
      const pem = typeof parsed?.iss === 'string' ? await this.#publicKeyOf(parsed.iss) : undefined;
      if (!pem || !verify(null, Buffer.from(body), this.#key(pem), Buffer.from(signature, 'base64url'))) throw refuse();
      claim = parsed;
      this.#seen.set(token, claim);
    }
    if (claim.aud !== this.#cellId || !(claim.exp > this.#now()) || typeof claim.sub !== 'string') throw refuse();
    return claim;
  }
}
