// One SyncML session of the server, and its state as plain JSON: what another gateway process
// needs to answer the session's next message. What the stores hold (records, the correspondence
// table, anchors) is read again on restore; records read ahead are read again when needed.
import type { Portal } from '../../core/portal.ts';
import type { Actor } from '../../core/cell/cell.ts';
import { Partners, type Partner } from '../../core/sync/partners.ts';
import { PimStore, type PimCodec, type PimItem } from '../../core/sync/pim.ts';
import { DatastoreSync, type IncomingChange, type OutgoingChange, type SyncState } from '../../core/sync/engine.ts';
import { codecFor } from '../../core/sync/datastores.ts';
import type { Element } from '../../transcode/syncml/tree.ts';

export type Phase = 'receiving' | 'sending' | 'mapping' | 'done';

/** What a datastore's sync in a session holds besides the engine and what it reads. */
interface DatastoreFields {
  ourUri: string;
  theirUri: string;
  phase: Phase;
  /** The client message that carried the alert: its package ends at that message's Final. */
  alertedIn: string;
  /** The content type we send in, settled when we start sending (from their DevInf, else what they sent). */
  sendType: string;
  queue: OutgoingChange[];
  numberSent: boolean;
  /** The content type of the first item they sent. */
  seenType?: string;
  /** Of ours, the head of the queue being sent as a large object in chunks: what is left of it. */
  rest?: string;
  /** A large object being received in chunks. */
  partial?: { op: IncomingChange['op']; theirId: string; type: string; data: string; size?: number };
}

export interface Datastore extends DatastoreFields {
  sync: DatastoreSync;
  codec: PimCodec;
  /** Records of the queue read ahead. */
  items: Map<number, PimItem>;
}

/** One of our commands awaiting the client's status. */
export interface Pending {
  ourUri: string;
  change: OutgoingChange;
}

/** What a session holds as plain data; `SessionState` adds its datastores'. */
interface SessionFields {
  version: string;
  clientSessionId: string;
  deviceId: string;
  actor?: Actor;
  partner?: Partner;
  devinf?: Element;
  askedDevinf: boolean;
  outMsgId: number;
  /** The last message and our answer (JSON), for a client that sends a message again. */
  last?: { msgId: string; answer: string };
}

export interface SessionState extends SessionFields {
  datastores: (DatastoreFields & { sync: SyncState })[];
  /** Our commands awaiting the client's status, by `msgId:cmdId`. */
  pending: [string, Pending][];
}

export class Session implements SessionFields {
  readonly token: string;
  /** The revision of the stored state this object stands for (0: not stored yet). */
  revision = 0;
  version = '1.2';
  clientSessionId: string;
  deviceId: string;
  actor?: Actor;
  partner?: Partner;
  partners?: Partners;
  devinf?: Element;
  askedDevinf = false;
  outMsgId = 0;
  readonly datastores = new Map<string, Datastore>();
  /** Our commands awaiting the client's status: `msgId:cmdId`. */
  readonly pending = new Map<string, Pending>();
  last?: { msgId: string; answer: string };

  constructor(token: string, clientSessionId: string, deviceId: string) {
    this.token = token;
    this.clientSessionId = clientSessionId;
    this.deviceId = deviceId;
  }

  get state(): SessionState {
    const { version, clientSessionId, deviceId, actor, partner, devinf, askedDevinf, outMsgId, last } = this;
    const datastores = [...this.datastores.values()].map(({ sync, codec, items, ...fields }) => ({ ...fields, sync: sync.state }));
    return { version, clientSessionId, deviceId, actor, partner, devinf, askedDevinf, outMsgId, last, datastores, pending: [...this.pending] };
  }

  /** The session as it was saved at `revision`, over the stores as they are now. */
  static async restore(portal: Portal, token: string, revision: number, state: SessionState): Promise<Session> {
    const { datastores, pending, ...fields } = state;
    const session = Object.assign(new Session(token, state.clientSessionId, state.deviceId), fields, { revision });
    if (!state.actor || !state.partner) return session;
    const cell = await portal.cell(state.actor.cellId);
    const partners = (session.partners = new Partners(cell.store));
    for (const { sync, ...ds } of datastores) {
      const codec = codecFor(ds.ourUri)!;
      const pim = await PimStore.open(cell, state.actor, codec);
      session.datastores.set(ds.ourUri, { ...ds, codec, items: new Map(), sync: await DatastoreSync.resume({ pim, partners, partner: state.partner }, sync) });
    }
    for (const [key, p] of pending) session.pending.set(key, p);
    return session;
  }
}
