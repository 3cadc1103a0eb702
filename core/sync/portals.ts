// The remote portals a user syncs with as a SyncML client (seed 002): where, as whom, which
// database, which mode; and what the last sync did. Only their owner sees or changes them. The
// password there is sealed with the cell's key (core/cell/secrets.ts) and opened only for the
// client to log in (portalLogin): no page is given it.
import type { Portal } from '../portal.ts';
import type { Actor } from '../cell/cell.ts';
import { DuplicateKeyError, type Store } from '../store/store.ts';
import { checkName } from '../cell/fields.ts';
import { Secrets } from '../cell/secrets.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { syncTables } from './tables.ts';
import { MODES, type ModeName } from './modes.ts';

export const PORTAL_DATABASES = { contacts: 'Contacts', calendar: 'Calendar' } as const;
export type PortalDatabase = keyof typeof PORTAL_DATABASES;

export interface RemotePortal {
  id: number;
  name: string;
  url: string;
  login: string;
  /** Which of our databases. */
  database: PortalDatabase;
  /** The datastore's name on the remote server. */
  remoteUri: string;
  mode: ModeName;
  lastReport?: SyncReport;
}

export interface PortalInput {
  name: string;
  url: string;
  login: string;
  password: string;
  database: string;
  remoteUri: string;
  mode: string;
}

/** What a sync did, for the user to see. */
export interface SyncReport {
  at: number;
  ok: boolean;
  /** The SyncML sync type that ran (e.g. 201 for a slow sync). */
  type?: number;
  sent: { added: number; replaced: number; deleted: number };
  received: { added: number; replaced: number; deleted: number };
  /** Why it failed, in words. */
  error?: string;
}

/** A portal with its password opened, for the client to log in there. */
export interface PortalLogin extends RemotePortal {
  password: string;
}

type Row = { id: number; name: string; url: string; login: string; secret: string; datastore: string; remote_uri: string; mode: string; last_report: string | null };

const toPortal = (r: Row): RemotePortal => ({
  id: Number(r.id),
  name: r.name,
  url: r.url,
  login: r.login,
  database: r.datastore as PortalDatabase,
  remoteUri: r.remote_uri,
  mode: r.mode as ModeName,
  lastReport: r.last_report ? JSON.parse(r.last_report) : undefined,
});

async function storeOf(portal: Portal, actor: Actor): Promise<Store> {
  const { cell } = await portal.ownCell(actor);
  await cell.user(actor.login).then((u) => u ?? Promise.reject(notFound('Your account no longer exists here.')));
  await syncTables(cell.store);
  return cell.store;
}

function checkInput(input: PortalInput): PortalInput {
  const name = checkName(input.name, 'The name of a portal');
  let url: URL;
  try {
    url = new URL(input.url.trim());
  } catch {
    throw invalid('Type the address of the SyncML server, starting with http:// or https://.', 'url');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('Type the address of the SyncML server, starting with http:// or https://.', 'url');
  if (!input.login.trim()) throw invalid('Type your login at that portal.', 'login');
  if (!(input.database in PORTAL_DATABASES)) throw invalid('Choose which database to sync.', 'database');
  if (!(input.mode in MODES)) throw invalid('Choose how to sync.', 'mode');
  const remoteUri = input.remoteUri.trim() || (input.database === 'contacts' ? 'addressbook' : 'calendar');
  return { ...input, name, url: url.toString(), login: input.login.trim(), remoteUri };
}

export async function remotePortals(portal: Portal, actor: Actor): Promise<RemotePortal[]> {
  const store = await storeOf(portal, actor);
  return (await store.all<Row>('SELECT * FROM sync_portals WHERE owner = ? ORDER BY name', [actor.login])).map(toPortal);
}

async function portalRow(store: Store, actor: Actor, id: number): Promise<Row> {
  const row = await store.get<Row>('SELECT * FROM sync_portals WHERE owner = ? AND id = ?', [actor.login, id]);
  if (!row) throw notFound('There is no such portal in your list.');
  return row;
}

export async function remotePortal(portal: Portal, actor: Actor, id: number): Promise<RemotePortal> {
  return toPortal(await portalRow(await storeOf(portal, actor), actor, id));
}

/** The portal and the password to log in there with, for the client only. */
export async function portalLogin(portal: Portal, actor: Actor, id: number): Promise<PortalLogin> {
  const store = await storeOf(portal, actor);
  const row = await portalRow(store, actor, id);
  return { ...toPortal(row), password: (await Secrets.open(store)).open(row.secret) };
}

export async function addRemotePortal(portal: Portal, actor: Actor, raw: PortalInput): Promise<number> {
  const input = checkInput(raw);
  const store = await storeOf(portal, actor);
  try {
    const { lastId } = await store.run('INSERT INTO sync_portals (owner, name, url, login, secret, datastore, remote_uri, mode) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      actor.login,
      input.name,
      input.url,
      input.login,
      (await Secrets.open(store)).seal(input.password),
      input.database,
      input.remoteUri,
      input.mode,
    ]);
    return lastId;
  } catch (err) {
    if (err instanceof DuplicateKeyError) throw conflict(`You already have a portal called "${input.name}".`, 'name');
    throw err;
  }
}

export async function removeRemotePortal(portal: Portal, actor: Actor, id: number): Promise<void> {
  await remotePortal(portal, actor, id);
  const store = await storeOf(portal, actor);
  await store.run('DELETE FROM sync_portals WHERE owner = ? AND id = ?', [actor.login, id]);
}

export async function recordReport(portal: Portal, actor: Actor, id: number, report: SyncReport): Promise<void> {
  const store = await storeOf(portal, actor);
  await store.run('UPDATE sync_portals SET last_report = ? WHERE owner = ? AND id = ?', [JSON.stringify(report), actor.login, id]);
}
