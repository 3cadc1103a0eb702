// Who is syncing: SyncML credentials checked against the user's own cell, and each user's sync
// settings (the conflict policy). Basic credentials carry the password, checked like a login;
// MD5 ones (b64(md5(b64(md5(login:password)) + ":" + nonce))) are checked against the MD5 secret
// kept from the last password seen, since the cell keeps only an scrypt hash.
import { createHash, randomBytes } from 'node:crypto';
import type { Portal } from '../portal.ts';
import type { Actor } from '../cell/cell.ts';
import { CoreError, invalid } from '../errors.ts';
import { syncTables } from './tables.ts';
import type { ConflictPolicy } from './engine.ts';

export type Credentials = { type: 'basic'; login: string; password: string } | { type: 'md5'; login: string; digest: string };

export const POLICIES: readonly ConflictPolicy[] = ['ours', 'theirs', 'duplicate'];
/** Nothing is lost unless the user chooses so: both versions are kept by default. */
export const DEFAULT_POLICY: ConflictPolicy = 'duplicate';


/** The MD5 secret of a login and password (SyncML 1.1 §5.3.3, OMA DS 1.2). */
export const md5Secret = (login: string, password: string) => createHash('md5').update(`${login}:${password}`).digest('base64');

/** What an MD5 credential must be, given the secret and the nonce (its bytes) the client was told. */
export const md5Digest = (secret: string, nonce: string | Buffer) => createHash('md5').update(`${secret}:`).update(nonce).digest('base64');

/** A fresh nonce, as it is hashed (printable, so its bytes are its text) and as it travels (base64). */
export function newNonce(): { b64: string; raw: string } {
  const raw = randomBytes(12).toString('base64url');
  return { b64: Buffer.from(raw).toString('base64'), raw };
}

/**
 * The user the credentials are good for. `nonce` is the one last given to this device. Failures
 * count towards the same throttle as logins.
 */
export async function syncAuthenticate(portal: Portal, cred: Credentials, nonce: string): Promise<Actor> {
  const key = [`sync:${cred.login}`];
  await portal.throttle.check(key);
  try {
    const cellId = await portal.locate(cred.login);
    const cell = await portal.cell(cellId);
    await syncTables(cell.store);
    if (cred.type === 'basic') {
      await cell.authenticate(cred.login, cred.password);
      await setSecret(portal, { login: cred.login, cellId }, md5Secret(cred.login, cred.password));
    } else {
      const row = await cell.store.get<{ md5_secret: string | null }>('SELECT md5_secret FROM sync_users WHERE login = ?', [cred.login]);
      if (!row?.md5_secret || md5Digest(row.md5_secret, nonce) !== cred.digest) throw new CoreError('bad-password', 'Wrong password.');
    }
    await portal.throttle.succeeded(key[0]);
    return { login: cred.login, cellId };
  } catch (err) {
    if (err instanceof CoreError && (err.kind === 'bad-password' || err.kind === 'unknown-login')) await portal.throttle.failed(key);
    throw err;
  }
}

/** Whether MD5 credentials can be checked for this login (a password was seen once). */
export async function hasMd5Secret(portal: Portal, login: string): Promise<boolean> {
  try {
    const cell = await portal.cell(await portal.locate(login));
    await syncTables(cell.store);
    const row = await cell.store.get<{ md5_secret: string | null }>('SELECT md5_secret FROM sync_users WHERE login = ?', [login]);
    return Boolean(row?.md5_secret);
  } catch (err) {
    if (err instanceof CoreError) return false;
    throw err;
  }
}

async function userRow(portal: Portal, actor: Actor) {
  const { cell } = await portal.ownCell(actor);
  await syncTables(cell.store);
  const row = await cell.store.get<{ md5_secret: string | null; conflict_policy: string }>('SELECT md5_secret, conflict_policy FROM sync_users WHERE login = ?', [actor.login]);
  return { store: cell.store, row };
}

async function writeUser(portal: Portal, actor: Actor, secret: string | null, policy: ConflictPolicy): Promise<void> {
  const { store } = await userRow(portal, actor);
  await store.transaction(async (tx) => {
    await tx.run('DELETE FROM sync_users WHERE login = ?', [actor.login]);
    await tx.run('INSERT INTO sync_users (login, md5_secret, conflict_policy) VALUES (?, ?, ?)', [actor.login, secret, policy]);
  });
}

async function setSecret(portal: Portal, actor: Actor, secret: string): Promise<void> {
  const { row } = await userRow(portal, actor);
  if (row?.md5_secret !== secret) await writeUser(portal, actor, secret, (row?.conflict_policy as ConflictPolicy) ?? DEFAULT_POLICY);
}

/** Lets a phone use MD5 credentials: the password is checked on the user's cell, its MD5 secret kept. */
export async function enableMd5(portal: Portal, actor: Actor, password: string): Promise<void> {
  const key = `sync:${actor.login}`;
  await portal.throttle.check([key]);
  try {
    await (await portal.cell(actor.cellId)).authenticate(actor.login, password);
  } catch (err) {
    if (err instanceof CoreError && err.kind === 'bad-password') await portal.throttle.failed([key]);
    throw err;
  }
  await setSecret(portal, actor, md5Secret(actor.login, password));
}

export async function conflictPolicy(portal: Portal, actor: Actor): Promise<ConflictPolicy> {
  const { row } = await userRow(portal, actor);
  return (row?.conflict_policy as ConflictPolicy) ?? DEFAULT_POLICY;
}

export async function setConflictPolicy(portal: Portal, actor: Actor, policy: string): Promise<void> {
  if (!POLICIES.includes(policy as ConflictPolicy)) throw invalid('Choose which version wins a conflict.', 'policy');
  const { row } = await userRow(portal, actor);
  await writeUser(portal, actor, row?.md5_secret ?? null, policy as ConflictPolicy);
}
