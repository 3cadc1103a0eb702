// The partners a user syncs with, their anchors and the correspondence table, in the cell's store.
import type { Store } from '../store/store.ts';
import { DuplicateKeyError } from '../store/store.ts';
import { syncTables } from './tables.ts';

export type PartnerKind = 'device' | 'portal';

export interface Partner {
  id: number;
  owner: string;
  kind: PartnerKind;
  key: string;
  nonce: string;
  /** The DevInf it last gave us (XML), if any. */
  devinf?: string;
}

export interface Anchors {
  theirs: string;
  theirPrevious: string;
  ours: string;
}

/** One row of the correspondence table. */
export interface MapEntry {
  theirId: string;
  digest: string;
}

export class Partners {
  readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  /** The partner, created on first contact. */
  async partner(owner: string, kind: PartnerKind, key: string): Promise<Partner> {
    await syncTables(this.store);
    const find = () => this.store.get<{ id: number; nonce: string; devinf: string | null }>('SELECT id, nonce, devinf FROM sync_partners WHERE owner = ? AND kind = ? AND partner_key = ?', [owner, kind, key]);
    let row = await find();
    if (!row) {
      try {
        await this.store.run('INSERT INTO sync_partners (owner, kind, partner_key, nonce, last_seen) VALUES (?, ?, ?, ?, ?)', [owner, kind, key, '', Date.now()]);
      } catch (err) {
        if (!(err instanceof DuplicateKeyError)) throw err; // a parallel first contact made it
      }
      row = (await find())!;
    }
    return { id: Number(row.id), owner, kind, key, nonce: row.nonce, devinf: row.devinf ?? undefined };
  }

  async setNonce(partnerId: number, nonce: string): Promise<void> {
    await this.store.run('UPDATE sync_partners SET nonce = ?, last_seen = ? WHERE id = ?', [nonce, Date.now(), partnerId]);
  }

  async setDevInf(partnerId: number, devinf: string): Promise<void> {
    await this.store.run('UPDATE sync_partners SET devinf = ? WHERE id = ?', [devinf, partnerId]);
  }

  async anchors(partnerId: number, datastore: string): Promise<Anchors | undefined> {
    const row = await this.store.get<{ their_anchor: string; their_previous: string; our_anchor: string }>(
      'SELECT their_anchor, their_previous, our_anchor FROM sync_anchors WHERE partner_id = ? AND datastore = ?',
      [partnerId, datastore],
    );
    return row && { theirs: row.their_anchor, theirPrevious: row.their_previous, ours: row.our_anchor };
  }

  /** Records a complete sync: the partner's new anchor, with the one it replaces kept as previous. */
  async commitAnchors(partnerId: number, datastore: string, theirs: string, ours: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const old = await tx.get<{ their_anchor: string }>('SELECT their_anchor FROM sync_anchors WHERE partner_id = ? AND datastore = ?', [partnerId, datastore]);
      await tx.run('DELETE FROM sync_anchors WHERE partner_id = ? AND datastore = ?', [partnerId, datastore]);
      await tx.run('INSERT INTO sync_anchors (partner_id, datastore, their_anchor, their_previous, our_anchor) VALUES (?, ?, ?, ?, ?)', [
        partnerId,
        datastore,
        theirs,
        old?.their_anchor ?? '',
        ours,
      ]);
    });
  }

  /** Forgets the anchors and the correspondence table: the next sync must be slow (or a refresh). */
  async forget(partnerId: number, datastore: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      await tx.run('DELETE FROM sync_anchors WHERE partner_id = ? AND datastore = ?', [partnerId, datastore]);
      await tx.run('DELETE FROM sync_map WHERE partner_id = ? AND datastore = ?', [partnerId, datastore]);
    });
  }

  async map(partnerId: number, datastore: string): Promise<Map<number, MapEntry>> {
    const rows = await this.store.all<{ record_id: number; their_id: string; digest: string }>(
      'SELECT record_id, their_id, digest FROM sync_map WHERE partner_id = ? AND datastore = ?',
      [partnerId, datastore],
    );
    return new Map(rows.map((r) => [Number(r.record_id), { theirId: r.their_id, digest: r.digest }]));
  }

  /** Sets (or with `entry` null removes) the correspondence rows of some records, in one transaction. */
  async setMap(partnerId: number, datastore: string, changes: readonly [recordId: number, entry: MapEntry | null][]): Promise<void> {
    if (changes.length === 0) return;
    await this.store.transaction(async (tx) => {
      for (const [recordId, entry] of changes) {
        await tx.run('DELETE FROM sync_map WHERE partner_id = ? AND datastore = ? AND record_id = ?', [partnerId, datastore, recordId]);
        if (entry) {
          await tx.run('INSERT INTO sync_map (partner_id, datastore, record_id, their_id, digest) VALUES (?, ?, ?, ?, ?)', [partnerId, datastore, recordId, entry.theirId, entry.digest]);
        }
      }
    });
  }
}
