// The SyncML server (SyncML 1.1, OMA DS 1.2): sessions across messages (RespURI), authentication,
// DevInf, and the packages of a sync: alerts, the client's changes (in as many messages and
// large-object chunks as it sends), ours within its MaxMsgSize, Map, and the anchors at the end.
// It reads and writes element trees; the sync engine in core/sync does the datastores' work.
import { randomBytes } from 'node:crypto';
import type { Portal } from '../../core/portal.ts';
import { CoreError } from '../../core/errors.ts';
import { Partners, type Partner } from '../../core/sync/partners.ts';
import { PimStore } from '../../core/sync/pim.ts';
import { DatastoreSync, RefusedItem, SYNC_TYPES, type IncomingChange, type OutgoingChange } from '../../core/sync/engine.ts';
import { OFFERED, codecFor } from '../../core/sync/datastores.ts';
import { conflictPolicy, hasMd5Secret, newNonce, syncAuthenticate, type Credentials } from '../../core/sync/accounts.ts';
import { at, child, childrenOf, el, innerXml, locUri, meta, parseElement, textAt, textOf, wireSize, type Element } from '../../transcode/syncml/tree.ts';
import { DEVINF_TYPE, devinfUri, ourDevInf, preferredType } from './devinf.ts';
import { Session, type Datastore } from './session.ts';
import { SessionStore } from './session-store.ts';
import { encodeKeepingBytes, itemText } from '../../transcode/syncml/item-bytes.ts';

/** SyncML status codes the server answers with (SyncML Representation Protocol, §10). */
export const CODE = {
  ok: 200,
  authAccepted: 212,
  chunkAccepted: 213,
  badRequest: 400,
  invalidCredentials: 401,
  notFound: 404,
  commandNotAllowed: 405,
  notSupported: 406,
  credentialsMissing: 407,
  notSupportedType: 415,
  sizeMismatch: 424,
  serverFailure: 500,
  /** Another message of the session is being answered. */
  busy: 503,
  versionNotSupported: 505,
} as const;

const RESUME = 225;
/** What a Sync holds besides its changes. */
const SYNC_PARTS: ReadonlySet<string> = new Set(['CmdID', 'NoResp', 'Cred', 'Target', 'Source', 'Meta', 'NumberOfChanges']);
const OUR_MAX_MSG = 150_000;
const OUR_MAX_OBJ = 4_000_000;
/** Room kept in each of our messages for the header and the statuses. */
const MESSAGE_OVERHEAD = 1_500;


const SPACE = /\s/;

/**
 * The longest start of `data` whose XML (escaped) takes at most `bytes`, and at least one character.
 * A cut that is not the end falls between two characters that are not blanks: the Synthesis engine
 * trims the blanks at both ends of each chunk's data, and would join the chunks a space short.
 */
function fitting(data: string, bytes: number): string {
  let used = 0;
  let end = 0;
  for (const ch of data) {
    used += ch === '\r' ? 5 : ch === '&' ? 5 : ch === '<' || ch === '>' ? 4 : Buffer.byteLength(ch);
    if (used > bytes && end > 0) break;
    end += ch.length;
  }
  if (end === data.length) return data;
  // Back to a cut with no blank on either side, not inside a surrogate pair; else where it was.
  const good = (cut: number) => !SPACE.test(data[cut - 1]) && !SPACE.test(data[cut]) && !/[\uD800-\uDBFF]/.test(data[cut - 1]);
  let cut = end;
  while (cut > 0 && !good(cut)) cut--;
  return data.slice(0, cut > 0 ? cut : end);
}

/**
 * Whether `bytes` are the large object of `size` bytes announced. Reading XML turns each CRLF into
 * LF (the Synthesis engine sends vCards with CRLF and counts them), so up to a byte a line may be
 * gone; some clients count characters rather than bytes.
 */
function isSize(bytes: Buffer, text: string, size: number): boolean {
  let lines = 0;
  for (const b of bytes) if (b === 0x0a) lines++;
  return (size >= bytes.length && size <= bytes.length + lines) || text.length === size;
}

/** A message that is not SyncML we can answer in SyncML: the endpoint says so in HTTP. */
export class NotSyncml extends Error {}

interface Header {
  version: string;
  sessionId: string;
  msgId: string;
  target: string;
  source: string;
  locName: string;
  cred?: Element;
  maxMsgSize: number;
}

/** Builds one reply message: commands get increasing CmdIDs. */
class Reply {
  readonly body: Element[] = [];
  #cmdId = 0;
  readonly msgRef: string;

  constructor(msgRef: string) {
    this.msgRef = msgRef;
  }

  nextId(): number {
    return ++this.#cmdId;
  }

  status(cmd: Element | 'SyncHdr', code: number, extra: { targetRef?: string; sourceRef?: string; chal?: Element; item?: Element } = {}): void {
    const name = cmd === 'SyncHdr' ? 'SyncHdr' : cmd.name;
    const cmdRef = cmd === 'SyncHdr' ? '0' : textAt(cmd, 'CmdID');
    this.body.push(
      el('Status', el('CmdID', this.nextId()), el('MsgRef', this.msgRef), el('CmdRef', cmdRef), el('Cmd', name), el('TargetRef', extra.targetRef), el('SourceRef', extra.sourceRef), extra.chal, el('Data', code), extra.item),
    );
  }
}


function readHeader(root: Element, version: string): Header {
  const hdr = child(root, 'SyncHdr');
  if (!hdr || !child(root, 'SyncBody')) throw new NotSyncml('a SyncML message has a SyncHdr and a SyncBody');
  const max = Number(textAt(hdr, 'Meta/MaxMsgSize'));
  return {
    version: version || textAt(hdr, 'VerDTD'),
    sessionId: textAt(hdr, 'SessionID'),
    msgId: textAt(hdr, 'MsgID'),
    target: textAt(hdr, 'Target/LocURI'),
    source: textAt(hdr, 'Source/LocURI'),
    locName: textAt(hdr, 'Source/LocName'),
    cred: child(hdr, 'Cred'),
    maxMsgSize: Number.isFinite(max) && max >= 1_000 ? Math.min(max, OUR_MAX_MSG) : OUR_MAX_MSG,
  };
}

/** The login and credentials of a Cred element, or undefined when it cannot be read. */
function readCred(cred: Element, locName: string): Credentials | undefined {
  const type = textAt(cred, 'Meta/Type');
  const data = textAt(cred, 'Data');
  if (type === 'syncml:auth-basic') {
    const plain = Buffer.from(data, 'base64').toString('utf8');
    const colon = plain.indexOf(':');
    if (colon < 0) return undefined;
    return { type: 'basic', login: plain.slice(0, colon), password: plain.slice(colon + 1) };
  }
  if (type === 'syncml:auth-md5' && locName) return { type: 'md5', login: locName, digest: data };
  return undefined;
}

export interface ServerOptions {
  log?: (err: unknown) => void;
}

export class SyncmlServer {
  readonly #portal: Portal;
  readonly #sessions: SessionStore;
  readonly #log: (err: unknown) => void;

  constructor(portal: Portal, options: ServerOptions = {}) {
    this.#portal = portal;
    this.#sessions = new SessionStore(portal);
    this.#log = options.log ?? ((err) => console.error(err));
  }

  /** Answers one message; `url` is where the client sent it (our RespURIs are built on it). */
  async handle(root: Element, version: string, url: URL): Promise<{ root: Element; version: string }> {
    const hdr = readHeader(root, version);
    const base = new URL(url);
    base.search = '';
    const baseUrl = base.toString();
    const fresh = () => new Session(randomBytes(12).toString('hex'), hdr.sessionId, hdr.source);
    // Another message of the session is being answered (here or by another process): this one
    // is refused rather than advancing the session from the same state.
    const busy = async () => (await this.#answer(fresh(), root, hdr, baseUrl, CODE.busy)).answer;
    const claimed = await this.#sessions.claim(url.searchParams.get('sessionid') ?? '');
    if (claimed === 'busy') return busy();
    let session = claimed;
    if (session && (session.clientSessionId !== hdr.sessionId || session.deviceId !== hdr.source)) {
      await this.#sessions.release(session);
      session = undefined;
    }
    session ??= fresh();
    try {
      if (session.last?.msgId === hdr.msgId) {
        await this.#sessions.release(session);
        return JSON.parse(session.last.answer);
      }
      const { answer, accepted, done } = await this.#answer(session, root, hdr, baseUrl);
      if (done) await this.#sessions.end(session);
      else if (accepted || session.revision > 0) {
        session.last = { msgId: hdr.msgId, answer: JSON.stringify(answer) };
        if (!(await this.#sessions.save(session))) return busy();
      }
      return answer;
    } catch (err) {
      await this.#sessions.release(session);
      throw err;
    }
  }

  /** The answer to a message, and whether it was accepted and ended the session; `refusal`: the code every command gets. */
  async #answer(session: Session, root: Element, hdr: Header, baseUrl: string, refusal?: number): Promise<{ answer: { root: Element; version: string }; accepted: boolean; done: boolean }> {
    const reply = new Reply(hdr.msgId);
    const body = child(root, 'SyncBody')!;
    const commands = childrenOf(body).filter((c) => c.name !== 'Final');
    const final = child(body, 'Final') !== undefined;
    const version = hdr.version === '1.1' ? '1.1' : '1.2';
    session.version = version;

    // The header: version, identity, credentials.
    let hdrCode: number = CODE.ok;
    let chal: Element | undefined;
    if (!['1.1', '1.2'].includes(hdr.version)) hdrCode = CODE.versionNotSupported;
    else if (!hdr.sessionId || !hdr.msgId || !hdr.source) hdrCode = CODE.badRequest;
    else if (refusal) hdrCode = refusal;
    else if (!session.actor) ({ code: hdrCode, chal } = await this.#authenticate(session, hdr));
    reply.status('SyncHdr', hdrCode, { targetRef: hdr.target, sourceRef: hdr.source, chal });
    const accepted = hdrCode === CODE.ok || hdrCode === CODE.authAccepted;

    for (const cmd of commands) {
      if (!accepted) {
        if (cmd.name !== 'Status') reply.status(cmd, hdrCode);
        continue;
      }
      try {
        await this.#command(session, cmd, hdr, reply, baseUrl);
      } catch (err) {
        if (!(err instanceof CoreError)) this.#log(err);
        reply.status(cmd, err instanceof CoreError ? CODE.badRequest : CODE.serverFailure);
      }
    }

    if (accepted && final) await this.#packageEnded(session, hdr.msgId);
    const { more, finished } = accepted ? await this.#fill(session, reply, hdr.maxMsgSize) : { more: false, finished: false };
    const done = accepted && [...session.datastores.values()].every((d) => d.phase === 'done') && session.datastores.size > 0;
    // Our package ends with theirs, or with the last message of our changes.
    const answerFinal = !more && (final || finished);

    const respUri = `${baseUrl}?sessionid=${session.token}`;
    const header = el(
      'SyncHdr',
      el('VerDTD', version),
      el('VerProto', `SyncML/${version}`),
      el('SessionID', hdr.sessionId || '0'),
      el('MsgID', ++session.outMsgId),
      el('Target', el('LocURI', hdr.source || 'unknown'), el('LocName', hdr.locName)),
      locUri('Source', hdr.target || baseUrl),
      accepted && !done && el('RespURI', respUri),
      meta(el('MaxMsgSize', OUR_MAX_MSG), el('MaxObjSize', OUR_MAX_OBJ)),
    );
    return { answer: { root: el('SyncML', header, el('SyncBody', reply.body, answerFinal && el('Final'))), version }, accepted, done };
  }

  async #authenticate(session: Session, hdr: Header): Promise<{ code: number; chal?: Element }> {
    const login = hdr.locName;
    const challenge = async (code: number, partner?: Partner) => {
      const nonce = newNonce();
      if (partner) await session.partners!.setNonce(partner.id, nonce.raw);
      const md5 = login !== '' && (await hasMd5Secret(this.#portal, login));
      const type = md5 ? 'syncml:auth-md5' : 'syncml:auth-basic';
      const chalMeta = el('Meta', el('Format', 'b64'), el('Type', type), md5 && el('NextNonce', nonce.b64));
      return { code, chal: el('Chal', chalMeta) };
    };
    const cred = hdr.cred && readCred(hdr.cred, login);
    const partner = cred ? await this.#partnerOf(session, cred.login, hdr.source) : undefined;
    if (!cred) return challenge(hdr.cred ? CODE.invalidCredentials : CODE.credentialsMissing, partner);
    try {
      session.actor = await syncAuthenticate(this.#portal, cred, partner?.nonce ?? '');
      return challenge(CODE.authAccepted, partner);
    } catch (err) {
      if (!(err instanceof CoreError)) throw err;
      return challenge(CODE.invalidCredentials, partner);
    }
  }

  /** The device as a partner of this login (made on first contact), when the login exists. */
  async #partnerOf(session: Session, login: string, deviceId: string): Promise<Partner | undefined> {
    try {
      const cell = await this.#portal.cell(await this.#portal.locate(login));
      session.partners = new Partners(cell.store);
      session.partner = await session.partners.partner(login, 'device', deviceId);
      if (session.partner.devinf) session.devinf = child(parseElement(`<Data>${session.partner.devinf}</Data>`), 'DevInf');
      return session.partner;
    } catch (err) {
      if (err instanceof CoreError) return undefined;
      throw err;
    }
  }

  async #command(session: Session, cmd: Element, hdr: Header, reply: Reply, baseUrl: string): Promise<void> {
    switch (cmd.name) {
      case 'Status':
        return this.#theirStatus(session, cmd);
      case 'Alert':
        return this.#alert(session, cmd, hdr, reply);
      case 'Put':
      case 'Results': {
        const devinf = child(at(cmd, 'Item/Data'), 'DevInf');
        if (devinf) {
          session.devinf = devinf;
          await session.partners!.setDevInf(session.partner!.id, innerXml(at(cmd, 'Item/Data')!));
        }
        return reply.status(cmd, devinf ? CODE.ok : CODE.badRequest, { sourceRef: textAt(cmd, 'Item/Source/LocURI') });
      }
      case 'Get':
        return this.#get(session, cmd, reply, baseUrl);
      case 'Sync':
        return this.#sync(session, cmd, reply);
      case 'Map':
        return this.#map(session, cmd, reply);
      default:
        return reply.status(cmd, CODE.notSupported);
    }
  }

  #get(session: Session, cmd: Element, reply: Reply, baseUrl: string) {
    const target = textAt(cmd, 'Item/Target/LocURI');
    if (target !== devinfUri(session.version) && target !== './devinf11' && target !== './devinf12') {
      return reply.status(cmd, CODE.notFound, { targetRef: target });
    }
    reply.status(cmd, CODE.ok, { targetRef: target });
    reply.body.push(
      el(
        'Results',
        el('CmdID', reply.nextId()),
        el('MsgRef', reply.msgRef),
        el('CmdRef', textAt(cmd, 'CmdID')),
        meta(el('Type', DEVINF_TYPE)),
        el('Item', locUri('Source', target), el('Data', ourDevInf(session.version, baseUrl, OFFERED))),
      ),
    );
  }

  async #alert(session: Session, cmd: Element, hdr: Header, reply: Reply): Promise<void> {
    // A client resuming a session that was cut off (225) gets a normal two-way sync in answer: what
    // the engine finds by content is exactly what the cut-off session left undone.
    const asked = Number(textAt(cmd, 'Data'));
    const code = asked === RESUME ? 200 : asked;
    const item = child(cmd, 'Item');
    const ourUri = textAt(item, 'Target/LocURI');
    const theirUri = textAt(item, 'Source/LocURI');
    const refs = { targetRef: ourUri, sourceRef: theirUri };
    // 222: the client asks for our next message; 221/224 and the like need nothing from us.
    if (!SYNC_TYPES.includes(code)) return reply.status(cmd, code >= 221 && code <= 224 ? CODE.ok : CODE.notSupported, refs);
    const codec = codecFor(ourUri);
    if (!codec) return reply.status(cmd, CODE.notFound, refs);
    const next = textAt(item, 'Meta/Anchor/Next');
    if (!next) return reply.status(cmd, CODE.badRequest, refs);
    const last = textAt(item, 'Meta/Anchor/Last') || undefined;
    const pim = await PimStore.open(await this.#portal.cell(session.actor!.cellId), session.actor!, codec);
    const sync = await DatastoreSync.start({
      pim,
      partners: session.partners!,
      partner: session.partner!,
      datastore: ourUri.replace(/^\.\//, '').toLowerCase(),
      policy: await conflictPolicy(this.#portal, session.actor!),
      code,
      last,
      next,
      role: 'server',
    });
    const ds: Datastore = {
      sync,
      codec,
      ourUri,
      theirUri,
      phase: 'receiving',
      alertedIn: hdr.msgId,
      sendType: '',
      queue: [],
      numberSent: false,
      items: new Map(),
    };
    session.datastores.set(ourUri, ds);
    // A client retrying after a 401 does not send its DevInf again: we ask for it.
    if (!session.devinf && !session.askedDevinf) {
      session.askedDevinf = true;
      const uri = devinfUri(session.version);
      reply.body.push(el('Get', el('CmdID', reply.nextId()), meta(el('Type', DEVINF_TYPE)), el('Item', locUri('Target', uri))));
    }
    reply.status(cmd, sync.alertStatus, { ...refs, item: el('Item', el('Data', el('Anchor', el('Next', next)))) });
    const anchor = el('Anchor', sync.type === 200 || sync.type === 202 || sync.type === 204 ? el('Last', sync.ourLast) : undefined, el('Next', sync.ourNext));
    reply.body.push(el('Alert', el('CmdID', reply.nextId()), el('Data', sync.type), el('Item', locUri('Target', theirUri), locUri('Source', ourUri), meta(anchor, el('MaxObjSize', OUR_MAX_OBJ)))));
  }

  async #sync(session: Session, cmd: Element, reply: Reply): Promise<void> {
    const ourUri = textAt(cmd, 'Target/LocURI');
    const ds = session.datastores.get(ourUri);
    const refs = { targetRef: ourUri, sourceRef: textAt(cmd, 'Source/LocURI') };
    if (!ds) return reply.status(cmd, CODE.notFound, refs);
    if (ds.phase !== 'receiving') return reply.status(cmd, CODE.commandNotAllowed, refs);
    reply.status(cmd, CODE.ok, refs);
    const changes: { cmd: Element; change?: IncomingChange; code?: number; ref: string }[] = [];
    for (const c of childrenOf(cmd)) {
      if (SYNC_PARTS.has(c.name)) continue;
      if (!['Add', 'Replace', 'Delete'].includes(c.name)) {
        changes.push({ cmd: c, ref: '', code: CODE.notSupported });
        continue;
      }
      const cmdType = textAt(c, 'Meta/Type');
      for (const item of childrenOf(c, 'Item')) {
        const theirId = textAt(item, 'Source/LocURI') || textAt(item, 'Target/LocURI');
        const type = textAt(item, 'Meta/Type') || cmdType || ds.seenType || ds.codec.types[0].type;
        ds.seenType ??= type;
        changes.push({ cmd: c, ref: theirId, ...this.#readItem(ds, c.name as IncomingChange['op'], theirId, type, item) });
      }
      if (!child(c, 'Item')) changes.push({ cmd: c, ref: '', code: CODE.badRequest });
    }
    const toApply = changes.filter((c) => c.change);
    const results = await ds.sync.apply(toApply.map((c) => c.change!));
    toApply.forEach((c, i) => (c.code = results[i].status));
    for (const c of changes) reply.status(c.cmd, c.code!, { sourceRef: c.ref });
  }

  /**
   * One item of a change: decoded, or a chunk of a large object kept for the next, or why not. An
   * item of theirs refused here still goes to the engine, as refused: a refresh from them must know
   * that one of theirs is missing.
   */
  #readItem(ds: Datastore, op: IncomingChange['op'], theirId: string, type: string, item: Element): { change?: IncomingChange; code?: number } {
    if (!theirId) return { code: CODE.badRequest };
    if (op === 'Delete') return { change: { op, theirId } };
    const refused = (code: number, why: string) => ({ change: { op, theirId, item: new RefusedItem(code, why) } });
    const dataEl = child(item, 'Data');
    if (!dataEl) return refused(CODE.badRequest, 'an item without data');
    // The chunks' text, joined as it is: bytes a chunk cut in two are kept in it (item-bytes.ts).
    let data = textOf(dataEl);
    const more = child(item, 'MoreData') !== undefined;
    if (ds.partial) {
      if (ds.partial.theirId !== theirId) {
        ds.partial = undefined;
        return refused(CODE.sizeMismatch, 'another item before the last chunk of a large object');
      }
      data = ds.partial.data + data;
    }
    const size = Number(textAt(item, 'Meta/Size')) || ds.partial?.size;
    if (more) {
      ds.partial = { op, theirId, type, data, size };
      return { code: CODE.chunkAccepted };
    }
    ds.partial = undefined;
    const bytes = encodeKeepingBytes(data);
    const text = itemText(bytes);
    if (size && !isSize(bytes, text, size)) return refused(CODE.sizeMismatch, 'a large object whose size does not add up');
    if (!ds.sync.pim.accepts(type)) return refused(CODE.notSupportedType, `items of type ${type} are not taken here`);
    try {
      return { change: { op, theirId, item: ds.sync.pim.decode(text, type) } };
    } catch (err) {
      return { change: { op, theirId, item: err instanceof Error ? err : new Error(String(err)) } };
    }
  }

  async #map(session: Session, cmd: Element, reply: Reply): Promise<void> {
    const ourUri = textAt(cmd, 'Target/LocURI');
    const ds = session.datastores.get(ourUri);
    const refs = { targetRef: ourUri, sourceRef: textAt(cmd, 'Source/LocURI') };
    if (!ds) return reply.status(cmd, CODE.notFound, refs);
    const pairs = childrenOf(cmd, 'MapItem').map((m) => ({ recordId: Number(textAt(m, 'Target/LocURI')), theirId: textAt(m, 'Source/LocURI') }));
    if (pairs.some((p) => !Number.isInteger(p.recordId) || !p.theirId)) return reply.status(cmd, CODE.badRequest, refs);
    reply.status(cmd, await ds.sync.mapped(pairs), refs);
  }

  async #theirStatus(session: Session, status: Element): Promise<void> {
    const key = `${textAt(status, 'MsgRef')}:${textAt(status, 'CmdRef')}`;
    const pending = session.pending.get(key);
    if (!pending) return;
    session.pending.delete(key);
    await session.datastores.get(pending.ourUri)!.sync.confirmed(pending.change, Number(textAt(status, 'Data')));
  }

  /** Their package ended with this message: datastores move on. */
  async #packageEnded(session: Session, msgId: string): Promise<void> {
    for (const ds of session.datastores.values()) {
      if (ds.phase === 'receiving' && ds.alertedIn !== msgId) {
        ds.partial = undefined;
        const preferred = preferredType(session.devinf, ds.theirUri) ?? ds.seenType;
        ds.sendType = ds.codec.types.find((t) => t.type === preferred)?.type ?? ds.codec.types[0].type;
        await ds.sync.theirsComplete();
        ds.queue = await ds.sync.outgoing();
        ds.phase = 'sending';
      } else if (ds.phase === 'mapping') {
        await ds.sync.finish();
        ds.phase = 'done';
      }
    }
  }

  /**
   * Our changes, as many as the client's MaxMsgSize takes; an item larger than a whole message goes
   * as a large object, in chunks (Size on the first, MoreData on all but the last). `more`: some
   * remain for the next message; `finished`: the last of them went in this one.
   */
  async #fill(session: Session, reply: Reply, maxMsgSize: number): Promise<{ more: boolean; finished: boolean }> {
    let room = maxMsgSize - MESSAGE_OVERHEAD - wireSize(el('x', reply.body));
    let more = false;
    let finished = false;
    for (const ds of session.datastores.values()) {
      if (ds.phase !== 'sending') continue;
      const syncId = reply.nextId();
      const commands: Element[] = [];
      while (ds.queue.length > 0) {
        const change = ds.queue[0];
        const chunked = ds.rest !== undefined;
        const data = ds.rest ?? (await this.#dataOf(ds, change));
        const whole = this.#change(ds, change, reply.nextId(), data, chunked ? {} : undefined);
        const size = wireSize(whole);
        if (size > room) {
          if (commands.length > 0 || change.op === 'Delete') break;
          // Alone in a message and still too large: a piece now, the rest in the next messages.
          const piece = fitting(data, room - (size - wireSize(el('x', data))));
          const first = chunked ? {} : { size: Buffer.byteLength(data) };
          commands.push(this.#change(ds, change, textAt(whole, 'CmdID'), piece, { ...first, more: true }));
          ds.rest = data.slice(piece.length);
          break;
        }
        room -= size;
        commands.push(whole);
        session.pending.set(`${session.outMsgId + 1}:${textAt(whole, 'CmdID')}`, { ourUri: ds.ourUri, change });
        ds.queue.shift();
        ds.rest = undefined;
      }
      const count = !ds.numberSent && el('NumberOfChanges', ds.queue.length + commands.length - (ds.rest !== undefined ? 1 : 0));
      ds.numberSent = true;
      reply.body.push(el('Sync', el('CmdID', syncId), locUri('Target', ds.theirUri), locUri('Source', ds.ourUri), count, commands));
      if (ds.queue.length > 0) more = true;
      else {
        ds.phase = 'mapping';
        finished = true;
      }
    }
    return { more, finished };
  }

  /** The item of a change in the client's content type ('' for a delete). */
  async #dataOf(ds: Datastore, change: OutgoingChange): Promise<string> {
    if (change.op === 'Delete') return '';
    if (!ds.items.has(change.recordId)) {
      // Read ahead: one query for the next few hundred records rather than one each.
      const ids = ds.queue.slice(0, 500).filter((c) => c.op !== 'Delete').map((c) => c.recordId);
      ds.items = await ds.sync.pim.items(ids.includes(change.recordId) ? ids : [change.recordId, ...ids]);
    }
    const item = ds.items.get(change.recordId);
    return item ? ds.codec.encode(item, ds.sendType) : '';
  }

  /** One of our commands; `chunk` when it carries a piece of a large object. */
  #change(ds: Datastore, change: OutgoingChange, cmdId: number | string, data: string, chunk?: { size?: number; more?: boolean }): Element {
    const id = el('CmdID', cmdId);
    if (change.op === 'Delete') return el('Delete', id, el('Item', locUri('Target', change.theirId!)));
    const address = change.op === 'Add' ? locUri('Source', String(change.recordId)) : locUri('Target', change.theirId!);
    const itemMeta = chunk?.size !== undefined && meta(el('Size', chunk.size));
    return el(change.op, id, meta(el('Type', ds.sendType)), el('Item', address, itemMeta, el('Data', data), chunk?.more && el('MoreData')));
  }
}
