// Our SyncML client (seed 002): one sync of a user's database with a remote portal's SyncML
// server, over HTTP (XML). Client side of the same packages the server speaks: alert, our changes,
// theirs, the Map of the ids we gave their items, and the anchors when all went through.
import { randomInt } from 'node:crypto';
import type { Portal } from '../../core/portal.ts';
import type { Actor } from '../../core/cell/cell.ts';
import { Partners } from '../../core/sync/partners.ts';
import { PimStore } from '../../core/sync/pim.ts';
import { DatastoreSync, SYNC, SYNC_TYPES, anchorAt, type IncomingChange, type OutgoingChange } from '../../core/sync/engine.ts';
import { CALENDAR, CONTACTS } from '../../core/sync/datastores.ts';
import { MODES, alertFor, slowDirection } from '../../core/sync/modes.ts';
import { md5Digest, md5Secret } from '../../core/sync/accounts.ts';
import { portalLogin, recordReport, type PortalLogin, type SyncReport } from '../../core/sync/portals.ts';
import { at, child, childrenOf, el, locUri, meta, parseSyncml, textAt, textOf, toXml, wireSize, type Element } from '../../transcode/syncml/tree.ts';
import { DEVINF_TYPE, devinfUri, ourDevInf } from './devinf.ts';
import { SYNCML_XML } from './endpoint.ts';

const VERSION = '1.2';
const MAX_MSG = 150_000;
const MAX_MESSAGES = 10_000;
const REQUEST_TIMEOUT_MS = 60_000;
/** The local datastore name we give the remote (Source of our Alert and Sync). */
const LOCAL_URI = { contacts: './contacts', calendar: './calendar' } as const;

class SyncFailed extends Error {}

/** One session with the remote server: message numbering, the URL to post to, credentials. */
class Exchange {
  readonly sessionId = String(randomInt(1, 1_000_000));
  readonly deviceId: string;
  readonly remote: PortalLogin;
  url: string;
  msgId = 0;
  maxMsgSize = MAX_MSG;
  cred?: Element;
  bytes = 0;

  constructor(remote: PortalLogin, deviceId: string) {
    this.remote = remote;
    this.deviceId = deviceId;
    this.url = remote.url;
  }

  basic(): Element {
    return el('Cred', meta(el('Format', 'b64'), el('Type', 'syncml:auth-basic')), el('Data', Buffer.from(`${this.remote.login}:${this.remote.password}`).toString('base64')));
  }

  md5(nonceB64: string): Element {
    const digest = md5Digest(md5Secret(this.remote.login, this.remote.password), Buffer.from(nonceB64, 'base64'));
    return el('Cred', meta(el('Format', 'b64'), el('Type', 'syncml:auth-md5')), el('Data', digest));
  }

  async send(body: Element[], final: boolean): Promise<{ root: Element; body: Element; msgId: string }> {
    const msgId = String(++this.msgId);
    const header = el(
      'SyncHdr',
      el('VerDTD', VERSION),
      el('VerProto', `SyncML/${VERSION}`),
      el('SessionID', this.sessionId),
      el('MsgID', msgId),
      locUri('Target', this.url),
      el('Source', el('LocURI', this.deviceId), el('LocName', this.remote.login)),
      this.cred,
      meta(el('MaxMsgSize', MAX_MSG), el('MaxObjSize', 4_000_000)),
    );
    const xml = toXml(el('SyncML', header, el('SyncBody', body, final && el('Final'))), VERSION);
    this.bytes += Buffer.byteLength(xml);
    let response: Response;
    try {
      response = await fetch(this.url, { method: 'POST', headers: { 'content-type': SYNCML_XML, accept: SYNCML_XML }, body: xml, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (err) {
      throw new SyncFailed(`The portal did not answer (${(err as Error).message}).`);
    }
    const text = await response.text();
    this.bytes += Buffer.byteLength(text);
    if (!response.ok) throw new SyncFailed(`The portal answered HTTP ${response.status}.`);
    let root: Element;
    try {
      root = parseSyncml(text).root;
    } catch (err) {
      throw new SyncFailed(`The portal's answer is not SyncML (${(err as Error).message}).`);
    }
    const respUri = textAt(root, 'SyncHdr/RespURI');
    if (respUri) this.url = respUri;
    const max = Number(textAt(root, 'SyncHdr/Meta/MaxMsgSize'));
    if (max >= 2_000) this.maxMsgSize = Math.min(max, MAX_MSG);
    return { root, body: child(root, 'SyncBody') ?? el('SyncBody'), msgId };
  }
}

/** Statuses answering every command of a message from the server (the header's first). */
function statusesFor(answer: { root: Element; body: Element }, codes: Map<Element, number>, nextId: () => number, msgRef: string): Element[] {
  const hdr = child(answer.root, 'SyncHdr')!;
  const out = [el('Status', el('CmdID', nextId()), el('MsgRef', msgRef), el('CmdRef', 0), el('Cmd', 'SyncHdr'), el('TargetRef', textAt(hdr, 'Target/LocURI')), el('SourceRef', textAt(hdr, 'Source/LocURI')), el('Data', 200))];
  for (const cmd of childrenOf(answer.body)) {
    if (cmd.name === 'Status' || cmd.name === 'Final') continue;
    const code = codes.get(cmd) ?? 200;
    out.push(el('Status', el('CmdID', nextId()), el('MsgRef', msgRef), el('CmdRef', textAt(cmd, 'CmdID')), el('Cmd', cmd.name), el('Data', code)));
    for (const sub of childrenOf(cmd).filter((c) => ['Add', 'Replace', 'Delete'].includes(c.name))) {
      const ref = textAt(sub, 'Item/Source/LocURI') || textAt(sub, 'Item/Target/LocURI');
      out.push(el('Status', el('CmdID', nextId()), el('MsgRef', msgRef), el('CmdRef', textAt(sub, 'CmdID')), el('Cmd', sub.name), el('SourceRef', ref), el('Data', codes.get(sub) ?? 200)));
    }
  }
  return out;
}

const statusOf = (body: Element, cmd: string) => childrenOf(body, 'Status').find((s) => textAt(s, 'Cmd') === cmd);

/** The device ID we sync under: remote servers know their clients by it. */
export const clientDeviceId = (login: string) => `lowband-${login}`;

/** Syncs one of the user's remote portals now; the report is kept and returned. */
export async function syncWithPortal(portal: Portal, actor: Actor, portalId: number, deviceId = clientDeviceId(actor.login)): Promise<SyncReport> {
  const remote = await portalLogin(portal, actor, portalId);
  const report: SyncReport = { at: Date.now(), ok: false, sent: { added: 0, replaced: 0, deleted: 0 }, received: { added: 0, replaced: 0, deleted: 0 } };
  try {
    await run(portal, actor, remote, deviceId, report);
    report.ok = true;
  } catch (err) {
    if (!(err instanceof SyncFailed)) throw err;
    report.error = err.message;
  }
  await recordReport(portal, actor, portalId, report);
  return report;
}

async function run(portal: Portal, actor: Actor, remote: PortalLogin, deviceId: string, report: SyncReport): Promise<void> {
  // Where the user lives now: a session may predate a move.
  const { cell, as } = await portal.ownCell(actor);
  const codec = remote.database === 'contacts' ? CONTACTS : CALENDAR;
  const pim = await PimStore.open(cell, as, codec);
  const partners = new Partners(cell.store);
  const partner = await partners.partner(actor.login, 'portal', String(remote.id));
  const datastore = remote.remoteUri;
  const anchors = await partners.anchors(partner.id, datastore);
  const asked = alertFor(remote.mode, anchors !== undefined);
  const ourNext = anchorAt(Date.now());
  const localUri = LOCAL_URI[remote.database];

  // Package 1: credentials, our DevInf, the alert. A 401 with a challenge is answered once more.
  const ex = new Exchange(remote, deviceId);
  ex.cred = ex.basic();
  const alert = () =>
    el('Alert', el('CmdID', 3), el('Data', asked), el('Item', locUri('Target', datastore), locUri('Source', localUri), meta(el('Anchor', anchors && asked !== SYNC.slow && el('Last', anchors.ours), el('Next', ourNext)), el('MaxObjSize', 4_000_000))));
  const devinf = el('Put', el('CmdID', 1), meta(el('Type', DEVINF_TYPE)), el('Item', locUri('Source', devinfUri(VERSION)), el('Data', ourDevInf(VERSION, deviceId, [{ uri: localUri, codec }]))));
  let answer = await ex.send([devinf, alert()], true);
  for (let tries = 0; statusCode(answer.body, 'SyncHdr') === 401 && tries < 2; tries++) {
    const nonce = textAt(statusOf(answer.body, 'SyncHdr'), 'Chal/Meta/NextNonce');
    const type = textAt(statusOf(answer.body, 'SyncHdr'), 'Chal/Meta/Type');
    ex.cred = type === 'syncml:auth-md5' ? ex.md5(nonce) : ex.basic();
    ex.url = remote.url;
    answer = await ex.send([devinf, alert()], true);
  }
  const hdrCode = statusCode(answer.body, 'SyncHdr');
  if (hdrCode === 401 || hdrCode === 407) throw new SyncFailed('The portal refused the login and password.');
  if (hdrCode !== 200 && hdrCode !== 212) throw new SyncFailed(`The portal refused the session (status ${hdrCode}).`);
  ex.cred = undefined;
  const alertCode = statusCode(answer.body, 'Alert');
  if (alertCode === 404) throw new SyncFailed(`The portal has no database "${datastore}".`);
  const theirAlert = childrenOf(answer.body, 'Alert').find((a) => SYNC_TYPES.includes(Number(textAt(a, 'Data'))));
  if (!theirAlert) throw new SyncFailed(`The portal did not start the sync (status ${alertCode}).`);
  const type = Number(textAt(theirAlert, 'Data'));
  report.type = type;
  const sync = await DatastoreSync.start({
    pim,
    partners,
    partner,
    datastore,
    policy: 'theirs',
    code: type,
    next: textAt(theirAlert, 'Item/Meta/Anchor/Next'),
    role: 'client',
    ourNext,
    deletions: MODES[remote.mode].deletions,
    only: type === SYNC.slow ? slowDirection(remote.mode) : undefined,
  });

  // Package 3: our changes, in messages within the server's MaxMsgSize.
  let cmdId = 0;
  const nextId = () => ++cmdId;
  const outgoing = await sync.outgoing();
  const pending = new Map<string, OutgoingChange>();
  const items = await pim.items(outgoing.filter((c) => c.op !== 'Delete').map((c) => c.recordId));
  let statuses = statusesFor(answer, new Map(), nextId, answer.msgId);
  let queue = [...outgoing];
  do {
    cmdId = statuses.length;
    const commands: Element[] = [];
    let room = ex.maxMsgSize - 2_000 - wireSize(el('x', statuses));
    while (queue.length > 0) {
      const change = queue[0];
      const id = nextId();
      const address = locUri('Source', String(change.recordId));
      const item = items.get(change.recordId);
      const command =
        change.op === 'Delete'
          ? el('Delete', el('CmdID', id), el('Item', address))
          : el(change.op, el('CmdID', id), meta(el('Type', codec.types[0].type)), el('Item', address, el('Data', item ? codec.encode(item, codec.types[0].type) : '')));
      const size = wireSize(el('x', command));
      if (commands.length > 0 && size > room) break;
      room -= size;
      commands.push(command);
      pending.set(`${ex.msgId + 1}:${id}`, change);
      queue.shift();
      report.sent[change.op === 'Add' ? 'added' : change.op === 'Replace' ? 'replaced' : 'deleted']++;
    }
    const last = queue.length === 0;
    const syncCmd = el('Sync', el('CmdID', nextId()), locUri('Target', datastore), locUri('Source', localUri), commands);
    answer = await ex.send([...statuses, syncCmd], last);
    await confirm(sync, answer.body, pending);
    statuses = [];
    if (!last) statuses = statusesFor(answer, new Map(), () => ++cmdId, answer.msgId);
  } while (queue.length > 0);

  // Package 4: theirs, perhaps over several messages (we ask for the next with alert 222).
  const mapItems: Element[] = [];
  for (let n = 0; n < MAX_MESSAGES; n++) {
    await confirm(sync, answer.body, pending);
    const codes = new Map<Element, number>();
    for (const s of childrenOf(answer.body, 'Sync')) {
      const commands = childrenOf(s).filter((c) => ['Add', 'Replace', 'Delete'].includes(c.name));
      const changes: IncomingChange[] = commands.map((c) => incoming(pim, c, codec.types[0].type));
      const results = await sync.apply(changes);
      commands.forEach((c, i) => {
        codes.set(c, results[i].status);
        const op = c.name as IncomingChange['op'];
        report.received[op === 'Add' ? 'added' : op === 'Replace' ? 'replaced' : 'deleted']++;
        if (op === 'Add' && results[i].recordId !== undefined) {
          mapItems.push(el('MapItem', locUri('Target', changes[i].theirId), locUri('Source', String(results[i].recordId))));
        }
      });
    }
    cmdId = 0;
    statuses = statusesFor(answer, codes, nextId, answer.msgId);
    if (child(answer.body, 'Final')) break;
    answer = await ex.send([...statuses, el('Alert', el('CmdID', nextId()), el('Data', 222), el('Item', locUri('Target', datastore), locUri('Source', localUri)))], false);
  }
  await sync.theirsComplete();

  // Package 5: statuses and the Map of the ids we gave their new items; then the anchors move on.
  // When their last message held statuses only and we have no Map, there is nothing to say: the
  // portal has ended the session (syncevo-http-server answers a message after that with HTTP 404).
  const map = mapItems.length > 0 && el('Map', el('CmdID', nextId()), locUri('Target', datastore), locUri('Source', localUri), mapItems);
  const answerable = childrenOf(answer.body).some((c) => c.name !== 'Status' && c.name !== 'Final');
  if (map || answerable) answer = await ex.send([...statuses, map || []].flat(), true);
  if (map && statusCode(answer.body, 'Map') >= 300) throw new SyncFailed(`The portal refused our Map (status ${statusCode(answer.body, 'Map')}).`);
  await sync.finish();
}

function statusCode(body: Element, cmd: string): number {
  return Number(textAt(statusOf(body, cmd), 'Data')) || 0;
}

/** Their statuses for our changes: what they took goes into the correspondence table. */
async function confirm(sync: DatastoreSync, body: Element, pending: Map<string, OutgoingChange>): Promise<void> {
  for (const s of childrenOf(body, 'Status')) {
    const key = `${textAt(s, 'MsgRef')}:${textAt(s, 'CmdRef')}`;
    const change = pending.get(key);
    if (!change) continue;
    pending.delete(key);
    await sync.confirmed(change, Number(textAt(s, 'Data')), change.op === 'Add' ? `local:${change.recordId}` : undefined);
  }
}

/** A change from the server: Add addressed by its id, Replace/Delete by ours. */
function incoming(pim: PimStore, command: Element, defaultType: string): IncomingChange {
  const op = command.name as IncomingChange['op'];
  const item = child(command, 'Item');
  const theirId = textAt(item, 'Source/LocURI');
  const ours = Number(textAt(item, 'Target/LocURI'));
  const change: IncomingChange = { op, theirId: theirId || `local:${ours}`, recordId: op === 'Add' || !Number.isInteger(ours) ? undefined : ours };
  if (op === 'Delete') return change;
  const type = textAt(item, 'Meta/Type') || textAt(command, 'Meta/Type') || defaultType;
  try {
    change.item = pim.decode(textOf(at(item, 'Data')), type);
  } catch (err) {
    change.item = err instanceof Error ? err : new Error(String(err));
  }
  return change;
}
