// The Contacts database of a user, read and changed through the portal as a user's screens would.
import type { Portal } from '../../core/portal.ts';
import type { Actor } from '../../core/cell/cell.ts';
import { PimStore } from '../../core/sync/pim.ts';
import { CALENDAR, CONTACTS } from '../../core/sync/datastores.ts';

export async function actorOf(portal: Portal, login: string): Promise<Actor> {
  return { login, cellId: await portal.locate(login) };
}

async function db(portal: Portal, actor: Actor, name: string) {
  const entry = (await portal.databases(actor)).find((d) => d.name === name && d.right === 'owner');
  if (!entry) throw new Error(`${actor.login} has no ${name} database`);
  return entry;
}

/** Every record of the user's database `name` as { field name: value }. */
export async function recordsOf(portal: Portal, login: string, name = 'Contacts'): Promise<{ id: number; values: Record<string, string> }[]> {
  const actor = await actorOf(portal, login);
  const ref = await db(portal, actor, name);
  const { db: info, items } = await portal.records(actor, ref, 0, 100_000);
  const names = new Map(info.fields.map((f) => [String(f.id), f.name]));
  return items.map((r) => ({ id: r.id, values: Object.fromEntries(Object.entries(r.values).map(([k, v]) => [names.get(k)!, String(v)])) }));
}

/** The sorted Name values of the user's contacts (or another field of another database). */
export async function namesOf(portal: Portal, login: string, name = 'Contacts', field = 'Name'): Promise<string[]> {
  return (await recordsOf(portal, login, name)).map((r) => r.values[field] ?? '?').sort();
}

async function fieldIds(portal: Portal, actor: Actor, name: string) {
  const ref = await db(portal, actor, name);
  const info = await portal.database(actor, ref);
  return { ref, ids: new Map(info.fields.map((f) => [f.name, String(f.id)])) };
}

const input = (ids: Map<string, string>, values: Record<string, string>) => Object.fromEntries(Object.entries(values).map(([k, v]) => [ids.get(k)!, v]));

/** Changes fields of the record whose Name is `who`, as the record form would. */
export async function editRecord(portal: Portal, login: string, who: string, values: Record<string, string>, name = 'Contacts', field = 'Name'): Promise<void> {
  const actor = await actorOf(portal, login);
  const { ref, ids } = await fieldIds(portal, actor, name);
  const record = (await recordsOf(portal, login, name)).find((r) => r.values[field] === who);
  if (!record) throw new Error(`no record ${who}`);
  await portal.updateRecord(actor, ref, record.id, input(ids, values));
}

export async function addRecord(portal: Portal, login: string, values: Record<string, string>, name = 'Contacts'): Promise<void> {
  const actor = await actorOf(portal, login);
  const { ref, ids } = await fieldIds(portal, actor, name);
  await portal.createRecord(actor, ref, input(ids, values));
}

export async function deleteRecord(portal: Portal, login: string, who: string, name = 'Contacts', field = 'Name'): Promise<void> {
  const actor = await actorOf(portal, login);
  const { ref } = await fieldIds(portal, actor, name);
  const record = (await recordsOf(portal, login, name)).find((r) => r.values[field] === who);
  if (!record) throw new Error(`no record ${who}`);
  await portal.deleteRecord(actor, ref, record.id);
}

/** The user's Contacts database, created as on first use. */
export async function openContacts(portal: Portal, login: string): Promise<PimStore> {
  const actor = await actorOf(portal, login);
  return PimStore.open(await portal.cell(actor.cellId), actor, CONTACTS);
}

/** The user's Calendar database, created as on first use. */
export async function openCalendar(portal: Portal, login: string): Promise<PimStore> {
  const actor = await actorOf(portal, login);
  return PimStore.open(await portal.cell(actor.cellId), actor, CALENDAR);
}
