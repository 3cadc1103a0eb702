// Sync state moves with its owner (a part of the move: core/cell/export.ts), so a phone or a
// remote portal goes on with an incremental sync at the new cell instead of being forced into a
// slow one: the partners with their anchors and correspondence tables, the items as last received
// (what no field holds), the MD5 secret and conflict policy, and the remote portals set up, their
// passwords sealed again with the new cell's key.
import type { Row } from '../store/store.ts';
import { insertRow, MOVING_PARTS, type MovedIds, type MovingPart } from '../cell/export.ts';
import { movingSecrets } from '../cell/secrets.ts';
import { syncTables } from './tables.ts';

interface OwnersSync {
  /** Their passwords opened (PORTAL_SECRETS), to be sealed on the target. */
  portals: Row[];
  partners: Row[];
  anchors: Row[];
  maps: Row[];
  extras: Row[];
  users: Row[];
}

/** The new id of something that moved; a row naming what did not move is a broken invariant, not data to drop. */
function moved(id: number | undefined, what: string, old: unknown): number {
  if (id === undefined) throw new Error(`A moving ${what} ${String(old)} has no new id.`);
  return id;
}

const withoutId = ({ id: _, ...row }: Row): Row => row;
const PORTAL_SECRETS = movingSecrets(['secret']);
const OF_PARTNER = 'partner_id IN (SELECT id FROM sync_partners WHERE owner = ?)';
const OF_DBS = 'db_id IN (SELECT id FROM dbs WHERE owner = ?)';

export const SYNC_MOVE: MovingPart<OwnersSync> = {
  prepare: (store) => syncTables(store),

  async read(from, login, lock) {
    const rows = (sql: string) => from.all(`${sql}${lock}`, [login]);
    return {
      portals: await PORTAL_SECRETS.open(from, await rows('SELECT * FROM sync_portals WHERE owner = ? ORDER BY id')),
      partners: await rows('SELECT * FROM sync_partners WHERE owner = ? ORDER BY id'),
      anchors: await rows(`SELECT * FROM sync_anchors WHERE ${OF_PARTNER}`),
      maps: await rows(`SELECT * FROM sync_map WHERE ${OF_PARTNER}`),
      extras: await rows(`SELECT * FROM sync_extras WHERE ${OF_DBS}`),
      users: await rows('SELECT * FROM sync_users WHERE login = ?'),
    };
  },

  async write(to, sync, ids: MovedIds) {
    const portals = ids.table('sync_portals');
    const partners = ids.table('sync_partners');
    for (const p of await PORTAL_SECRETS.seal(to, sync.portals)) portals.set(Number(p.id), await insertRow(to, 'sync_portals', withoutId(p)));
    for (const p of sync.partners) {
      // A remote portal's partner row is keyed by the portal's id, which the target numbers afresh.
      const key = p.kind === 'portal' ? String(moved(portals.get(Number(p.partner_key)), 'portal', p.partner_key)) : p.partner_key;
      partners.set(Number(p.id), await insertRow(to, 'sync_partners', { ...withoutId(p), partner_key: key }));
    }
    const partner = (old: unknown) => moved(partners.get(Number(old)), 'sync partner', old);
    for (const a of sync.anchors) await insertRow(to, 'sync_anchors', { ...a, partner_id: partner(a.partner_id) });
    // A pairing outlives its record until the partner is told of the deletion: a record deleted since
    // the last sync did not move, and stands in the table as its old id negated (no record's id).
    for (const m of sync.maps) await insertRow(to, 'sync_map', { ...m, partner_id: partner(m.partner_id), record_id: ids.record(Number(m.record_id)) ?? -Number(m.record_id) });
    // What was kept of a deleted record (removed beside the record, not with it) has nothing to go with.
    for (const e of sync.extras) {
      const record = ids.record(Number(e.record_id));
      if (record !== undefined) await insertRow(to, 'sync_extras', { ...e, record_id: record, db_id: moved(ids.db(Number(e.db_id)), 'database', e.db_id) });
    }
    for (const u of sync.users) await insertRow(to, 'sync_users', u);
  },

  async remove(from, login) {
    await from.run(`DELETE FROM sync_anchors WHERE ${OF_PARTNER}`, [login]);
    await from.run(`DELETE FROM sync_map WHERE ${OF_PARTNER}`, [login]);
    await from.run('DELETE FROM sync_partners WHERE owner = ?', [login]);
    await from.run('DELETE FROM sync_portals WHERE owner = ?', [login]);
    await from.run(`DELETE FROM sync_extras WHERE ${OF_DBS}`, [login]);
    await from.run('DELETE FROM sync_users WHERE login = ?', [login]);
  },
};

MOVING_PARTS.push(SYNC_MOVE);
