// The sync engine for one datastore in one session: it knows anchors, the correspondence table,
// sync types and conflicts, and nothing of SyncML's XML. Changes are found by content: a record
// whose digest differs from the one in the correspondence table has changed since the last sync
// with this partner, a row whose record is gone was deleted. So a session cut off anywhere leaves
// nothing half-counted: what was applied is in the table, what was not is found again next time.
import type { PimStore, IncomingItem } from './pim.ts';
import { CoreError } from '../errors.ts';
import { utcStamp } from '../../transcode/pim/when.ts';
import type { MapEntry, Partner, Partners } from './partners.ts';

/** SyncML alert codes of the sync types (SyncML Representation Protocol, 200–205). */
export const SYNC = {
  twoWay: 200,
  slow: 201,
  oneWayFromClient: 202,
  refreshFromClient: 203,
  oneWayFromServer: 204,
  refreshFromServer: 205,
} as const;
export type SyncType = (typeof SYNC)[keyof typeof SYNC];
export const SYNC_TYPES: readonly number[] = Object.values(SYNC);

/** Who wins when both sides changed one item since the last sync: our copy, theirs, or both kept. */
export type ConflictPolicy = 'ours' | 'theirs' | 'duplicate';

/** SyncML status codes the engine answers changes with. */
export const STATUS = {
  ok: 200,
  added: 201,
  conflictTheirsWon: 208,
  conflictDuplicated: 209,
  notDeleted: 211,
  refreshRequired: 508,
  conflictOursWon: 419,
  badData: 415,
  /** An item whose values the database refuses (not a date…), as a form would. */
  badValue: 400,
  /** An item with a value longer than its field holds ("Request entity too large"): refused whole. */
  tooLarge: 413,
} as const;

export interface IncomingChange {
  op: 'Add' | 'Replace' | 'Delete';
  /** The partner's id of the item (a phone's LUID; as a client, the server's GUID for an Add). */
  theirId: string;
  /** Our record, when the partner addresses it by our id (a server's Replace/Delete to its client). */
  recordId?: number;
  /** The decoded item (Add/Replace), or why it could not be read. */
  item?: IncomingItem | Error;
}

export interface ChangeResult {
  status: number;
  /** The record the change landed in (for a Map back to the partner). */
  recordId?: number;
}

export interface OutgoingChange {
  op: 'Add' | 'Replace' | 'Delete';
  recordId: number;
  /** The partner's id (Replace/Delete). */
  theirId?: string;
  digest?: string;
}

/** An item refused before it could be read (no data, a size that does not add up, a type not taken), with its status. */
export class RefusedItem extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** The status of an item that could not be read: refused already, not ours to read (415), or values the database refuses. */
function statusOfRefusal(err: Error): number {
  if (err instanceof RefusedItem) return err.status;
  if (!(err instanceof CoreError)) return STATUS.badData;
  return err.kind === 'too-large' ? STATUS.tooLarge : STATUS.badValue;
}

/** `YYYYMMDDTHHMMSSZ`, the anchor form SyncML clients use. */
export const anchorAt = utcStamp;

const CLIENT_SENDS: ReadonlySet<number> = new Set([SYNC.twoWay, SYNC.slow, SYNC.oneWayFromClient, SYNC.refreshFromClient]);
const SERVER_SENDS: ReadonlySet<number> = new Set([SYNC.twoWay, SYNC.slow, SYNC.oneWayFromServer, SYNC.refreshFromServer]);
/** Types after which everything on one side is matched afresh, without a correspondence table. */
const AFRESH: ReadonlySet<number> = new Set([SYNC.slow, SYNC.refreshFromClient, SYNC.refreshFromServer]);

export interface StartOptions {
  pim: PimStore;
  partners: Partners;
  partner: Partner;
  datastore: string;
  policy: ConflictPolicy;
  /** The sync type asked for and the partner's anchors (Last absent on slow and refresh). */
  code: number;
  last?: string;
  next: string;
  /** We are the SyncML server (changes come first from them, and we resolve conflicts). */
  role: 'server' | 'client';
  /** Our Next anchor, when it was announced before the session started here (as a client). */
  ourNext?: string;
  /** False for a one-way merge without deletions: deletions are neither sent nor applied. */
  deletions?: boolean;
  /**
   * A one-way merge with no history yet runs as a slow sync (SyncML has no slow one-way type):
   * then only this direction is carried.
   */
  only?: 'send' | 'receive';
  now?: number;
}

/**
 * What a datastore's sync holds only for its session, as plain data. What the store holds is read
 * again when a session resumes: the correspondence table (each step writes its changes to it
 * before it returns) and the records with their digests.
 */
export interface SyncState {
  datastore: string;
  policy: ConflictPolicy;
  type: SyncType;
  alertStatus: number;
  ourLast: string;
  ourNext: string;
  theirNext: string;
  role: 'server' | 'client';
  deletions: boolean;
  only?: 'send' | 'receive';
  touched: number[];
  kept: number[];
  unmapped: number[];
  refused: boolean;
}

/** Where a datastore's sync works: the user's records and the partner's table. */
export type SyncStores = Pick<StartOptions, 'pim' | 'partners' | 'partner'>;

export class DatastoreSync {
  readonly pim: PimStore;
  readonly partners: Partners;
  readonly partner: Partner;
  readonly datastore: string;
  readonly policy: ConflictPolicy;
  /** The sync type this session runs. */
  readonly type: SyncType;
  /** 200, or 508 when the partner asked for a type its anchors do not allow (then a slow sync runs). */
  readonly alertStatus: number;
  readonly ourLast: string;
  readonly ourNext: string;
  readonly theirNext: string;
  readonly #map: Map<number, MapEntry>;
  readonly #byTheirId = new Map<string, number>();
  readonly #digests: Map<number, string>;
  /** Records nobody on their side stands for yet, by digest: what an incoming Add may match. */
  readonly #unmatched = new Map<string, number[]>();
  /** Records changed by them this session: not echoed back. */
  readonly #touched: Set<number>;
  /** Refresh from them: records they gave us; the others go when their package is complete. */
  readonly #kept: Set<number>;
  /** Records whose pairing this session undid: kept apart from theirs, not matched again by content. */
  readonly #unmapped: Set<number>;
  /** An item of theirs was refused: after a refresh from them, the record it stands for may be any of ours. */
  #refused: boolean;
  readonly #role: 'server' | 'client';
  readonly #deletions: boolean;
  readonly #only?: 'send' | 'receive';

  private constructor(o: SyncStores, state: SyncState, map: Map<number, MapEntry>, contents: Map<number, { digest: string; match: string }>) {
    this.pim = o.pim;
    this.partners = o.partners;
    this.partner = o.partner;
    this.datastore = state.datastore;
    this.policy = state.policy;
    this.type = state.type;
    this.alertStatus = state.alertStatus;
    this.ourLast = state.ourLast;
    this.ourNext = state.ourNext;
    this.theirNext = state.theirNext;
    this.#role = state.role;
    this.#deletions = state.deletions;
    this.#only = state.only;
    this.#touched = new Set(state.touched);
    this.#kept = new Set(state.kept);
    this.#unmapped = new Set(state.unmapped);
    this.#refused = state.refused;
    this.#map = map;
    this.#digests = new Map([...contents].map(([id, c]) => [id, c.digest]));
    for (const [recordId, entry] of map) this.#byTheirId.set(entry.theirId, recordId);
    for (const [recordId, { match }] of contents) if (!map.has(recordId) && !this.#unmapped.has(recordId)) this.#remember(match, recordId);
  }

  /**
   * Starts a datastore's sync from the partner's alert. A normal sync whose Last anchor is not the
   * one we recorded (nor the one before, for a session cut off after we committed) becomes slow.
   */
  static async start(o: StartOptions): Promise<DatastoreSync> {
    const anchors = await o.partners.anchors(o.partner.id, o.datastore);
    // As a client, the server has checked our anchors already; we only need a history of our own.
    const known = anchors !== undefined && (o.role === 'client' || (o.last !== undefined && (o.last === anchors.theirs || o.last === anchors.theirPrevious)));
    const asked = o.code as SyncType;
    const type: SyncType = AFRESH.has(asked) || known ? asked : SYNC.slow;
    if (AFRESH.has(type)) await o.partners.forget(o.partner.id, o.datastore);
    const state: SyncState = {
      datastore: o.datastore,
      policy: o.policy,
      type,
      alertStatus: type === asked ? STATUS.ok : STATUS.refreshRequired,
      ourLast: anchors?.ours ?? '',
      ourNext: o.ourNext ?? anchorAt(o.now ?? Date.now()),
      theirNext: o.next,
      role: o.role,
      deletions: o.deletions ?? true,
      only: o.only,
      touched: [],
      kept: [],
      unmapped: [],
      refused: false,
    };
    return DatastoreSync.resume(o, state);
  }

  /** A sync carried on from its state (started here, or by another process): the store's side is read afresh. */
  static async resume(o: SyncStores, state: SyncState): Promise<DatastoreSync> {
    const map = await o.partners.map(o.partner.id, state.datastore);
    return new DatastoreSync(o, state, map, await o.pim.digests());
  }

  /** The state to resume this sync from. */
  get state(): SyncState {
    return {
      datastore: this.datastore,
      policy: this.policy,
      type: this.type,
      alertStatus: this.alertStatus,
      ourLast: this.ourLast,
      ourNext: this.ourNext,
      theirNext: this.theirNext,
      role: this.#role,
      deletions: this.#deletions,
      only: this.#only,
      touched: [...this.#touched],
      kept: [...this.#kept],
      unmapped: [...this.#unmapped],
      refused: this.#refused,
    };
  }

  /** Whether this sync type takes their changes. */
  get receives(): boolean {
    return this.#only !== 'send' && (this.#role === 'server' ? CLIENT_SENDS : SERVER_SENDS).has(this.type);
  }

  /** Whether this sync type sends them ours. */
  get sends(): boolean {
    return this.#only !== 'receive' && (this.#role === 'server' ? SERVER_SENDS : CLIENT_SENDS).has(this.type);
  }

  /** A refresh from them: our copy becomes exactly theirs. */
  get refreshFromThem(): boolean {
    return this.type === (this.#role === 'server' ? SYNC.refreshFromClient : SYNC.refreshFromServer);
  }

  #remember(match: string, recordId: number) {
    const list = this.#unmatched.get(match);
    if (list) list.push(recordId);
    else this.#unmatched.set(match, [recordId]);
  }

  /** A record of the same content nobody on their side stands for yet (not one they just gave us). */
  #takeMatch(match: string): number | undefined {
    const list = this.#unmatched.get(match);
    let id = list?.shift();
    while (id !== undefined && this.#map.has(id)) id = list!.shift();
    if (list && list.length === 0) this.#unmatched.delete(match);
    return id;
  }

  #recordOf(change: IncomingChange): number | undefined {
    if (change.recordId !== undefined) return this.#digests.has(change.recordId) || this.#map.has(change.recordId) ? change.recordId : undefined;
    return this.#byTheirId.get(change.theirId);
  }

  /** Applies their changes of one message, in order; adds that match nothing are written in one batch. */
  async apply(changes: readonly IncomingChange[]): Promise<ChangeResult[]> {
    // Their items in a slow sync standing for a one-way merge to them are left with them, by the
    // user's choice, not refused: an error would have them counted as failed and sent again.
    if (!this.receives) return changes.map(() => ({ status: this.#only === 'send' ? 200 : 403 }));
    const results: ChangeResult[] = [];
    const mapChanges: [number, MapEntry | null][] = [];
    const newItems: { at: number; change: IncomingChange; item: IncomingItem }[] = [];
    const setMap = (recordId: number, theirId: string, digest: string) => {
      const old = this.#map.get(recordId);
      if (old && old.theirId !== theirId) this.#byTheirId.delete(old.theirId);
      this.#map.set(recordId, { theirId, digest });
      this.#byTheirId.set(theirId, recordId);
      this.#touched.add(recordId);
      this.#kept.add(recordId);
      mapChanges.push([recordId, { theirId, digest }]);
    };
    const unmap = (recordId: number) => {
      const old = this.#map.get(recordId);
      if (old) this.#byTheirId.delete(old.theirId);
      this.#map.delete(recordId);
      this.#unmapped.add(recordId);
      mapChanges.push([recordId, null]);
    };

    for (const change of changes) {
      const at = results.push({ status: STATUS.ok }) - 1;
      if (change.item instanceof Error) {
        results[at] = { status: statusOfRefusal(change.item) };
        this.#refused = true;
        continue;
      }
      const recordId = this.#recordOf(change);
      const exists = recordId !== undefined && this.#digests.has(recordId);
      if (change.op === 'Delete') {
        if (!this.#deletions) continue; // a merge without deletions: taken, and nothing done
        if (recordId === undefined) results[at] = { status: STATUS.notDeleted };
        else if (!exists) unmap(recordId);
        else if (this.#changedHere(recordId) && this.policy !== 'theirs') {
          // Changed here, deleted there: ours is kept and goes back to them as new.
          unmap(recordId);
          results[at] = { status: this.policy === 'ours' ? STATUS.conflictOursWon : STATUS.conflictDuplicated };
        } else {
          await this.pim.remove(recordId);
          this.#digests.delete(recordId);
          unmap(recordId);
        }
        continue;
      }
      const item = change.item!;
      if (exists) {
        const here = this.#digests.get(recordId)!;
        if (here === item.digest) {
          setMap(recordId, change.theirId, item.digest);
          // An add of what we hold already (resent after a cut-off) is simply done: 201, as for any add.
          results[at] = { status: change.op === 'Add' ? STATUS.added : STATUS.ok, recordId };
        } else if (!this.#changedHere(recordId) || this.policy === 'theirs' || this.#role === 'client') {
          // As a client, the server has resolved any conflict already: its word is final.
          const conflict = this.#changedHere(recordId);
          await this.pim.replace(recordId, item);
          this.#digests.set(recordId, item.digest);
          setMap(recordId, change.theirId, item.digest);
          results[at] = { status: conflict ? STATUS.conflictTheirsWon : change.op === 'Add' ? STATUS.added : STATUS.ok, recordId };
        } else if (this.policy === 'ours') {
          // Ours stays and, its digest still differing from the table's, goes back to them.
          this.#touched.delete(recordId);
          results[at] = { status: STATUS.conflictOursWon, recordId };
        } else {
          // Both kept: theirs becomes a new record under their id; ours, unmapped, goes to them as new.
          unmap(recordId);
          newItems.push({ at, change, item });
          results[at] = { status: STATUS.conflictDuplicated };
        }
        continue;
      }
      if (recordId !== undefined) unmap(recordId); // mapped to a record deleted here: theirs comes back as new
      const match = this.#takeMatch(item.match);
      if (match !== undefined) {
        // The same entry on both sides (a slow sync, or an add resent after a cut-off): paired, not doubled.
        if (this.#digests.get(match) !== item.digest) {
          await this.pim.replace(match, item);
          this.#digests.set(match, item.digest);
        }
        setMap(match, change.theirId, item.digest);
        results[at] = { status: STATUS.added, recordId: match };
      } else {
        newItems.push({ at, change, item });
        results[at] = { status: STATUS.added };
      }
    }

    const ids = await this.pim.add(newItems.map((n) => n.item));
    newItems.forEach((n, i) => {
      this.#digests.set(ids[i], n.item.digest);
      setMap(ids[i], n.change.theirId, n.item.digest);
      results[n.at].recordId = ids[i];
    });
    await this.partners.setMap(this.partner.id, this.datastore, mapChanges);
    return results;
  }

  /** Changed here since the last sync with them (a record they never had counts as changed). */
  #changedHere(recordId: number): boolean {
    return this.#map.get(recordId)?.digest !== this.#digests.get(recordId);
  }

  /**
   * Their package is complete: after a refresh from them, what they did not send goes, unless they
   * sent an item we refused (a note too long…): our copy of it would go with the rest, so none goes.
   */
  async theirsComplete(): Promise<void> {
    if (!this.refreshFromThem || this.#refused) return;
    for (const recordId of [...this.#digests.keys()]) {
      if (this.#kept.has(recordId)) continue;
      await this.pim.remove(recordId);
      this.#digests.delete(recordId);
    }
  }

  /** The changes to send them, in record order: adds of what they lack, replaces, then deletes. */
  async outgoing(): Promise<OutgoingChange[]> {
    if (!this.sends) return [];
    const out: OutgoingChange[] = [];
    for (const [recordId, digest] of this.#digests) {
      const entry = this.#map.get(recordId);
      if (!entry) out.push({ op: 'Add', recordId, digest });
      else if (entry.digest !== digest && !this.#touched.has(recordId)) out.push({ op: 'Replace', recordId, theirId: entry.theirId, digest });
    }
    for (const [recordId, entry] of this.#map) {
      if (!this.#digests.has(recordId) && this.#deletions) out.push({ op: 'Delete', recordId, theirId: entry.theirId });
    }
    return out;
  }

  /** Their status for one of our changes: what they took is written in the correspondence table. */
  async confirmed(change: OutgoingChange, status: number, theirId?: string): Promise<void> {
    if (status < 200 || status >= 300) return;
    if (change.op === 'Delete') {
      this.#map.delete(change.recordId);
      await this.partners.setMap(this.partner.id, this.datastore, [[change.recordId, null]]);
    } else if (change.op === 'Replace' || theirId !== undefined) {
      const entry = { theirId: theirId ?? change.theirId!, digest: change.digest! };
      this.#map.set(change.recordId, entry);
      await this.partners.setMap(this.partner.id, this.datastore, [[change.recordId, entry]]);
    }
  }

  /** A Map from them: their new ids for records we sent as Add. */
  async mapped(pairs: readonly { recordId: number; theirId: string }[]): Promise<number> {
    const changes: [number, MapEntry][] = [];
    for (const { recordId, theirId } of pairs) {
      const digest = this.#digests.get(recordId);
      if (digest === undefined) continue;
      this.#map.set(recordId, { theirId, digest });
      this.#byTheirId.set(theirId, recordId);
      changes.push([recordId, { theirId, digest }]);
    }
    await this.partners.setMap(this.partner.id, this.datastore, changes);
    return changes.length === pairs.length ? STATUS.ok : 404;
  }

  /** The session ended well: the anchors of both sides move on. */
  async finish(): Promise<void> {
    await this.partners.commitAnchors(this.partner.id, this.datastore, this.theirNext, this.ourNext);
  }
}
