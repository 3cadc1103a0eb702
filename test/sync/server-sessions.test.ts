// A SyncML session whose messages reach different gateway processes: two servers over one
// system answer a recorded session alternately, and the session goes exactly as with one.
import test from 'ava';
import { openTestPortal, closeTestPortals } from '../support/system.ts';
import { adapt, fixture } from '../support/syncml.ts';
import { addRecord, namesOf, openContacts } from '../support/contacts.ts';
import { seedDemo } from '../../core/demo.ts';
import type { Portal } from '../../core/portal.ts';
import { SyncmlServer } from '../../gateway/sync/server.ts';
import { SyncmlSessions } from '../../core/dispatch/syncml-sessions.ts';
import { child, childrenOf, parseSyncml, textAt, toXml, type Element } from '../../transcode/syncml/tree.ts';

test.after.always(closeTestPortals);

const ENDPOINT = 'http://gateway.test/sync';
const SESSION = '22-slow-maxmsgsize4000-multimessage-largeobject';

/** demo's system, with contacts enough that our changes take several of the client's 10 KB messages, one of them in chunks. */
async function system(): Promise<Portal> {
  const portal = await openTestPortal();
  await seedDemo(portal);
  await openContacts(portal, 'demo');
  for (let i = 1; i <= 30; i++) await addRecord(portal, 'demo', { Name: `Sid Server${i}`, 'Given name': 'Sid', 'Family name': `Server${i}`, 'Work phone': `+1-555-01${i}` });
  await addRecord(portal, 'demo', { Name: 'Lena Long', 'Given name': 'Lena', 'Family name': 'Long', Note: 'long story '.repeat(800) });
  return portal;
}

/** The client's next message after an answer of ours: statuses for our changes, then the next-message alert or, after our last, the Map. */
function reply(answer: Element, msgId: number, respUri: string, mapped: string[]): string {
  const ourMsg = textAt(answer, 'SyncHdr/MsgID');
  const body = child(answer, 'SyncBody')!;
  let cmdId = 0;
  const status = (cmd: string, ref: string, code: number) => `<Status><CmdID>${++cmdId}</CmdID><MsgRef>${ourMsg}</MsgRef><CmdRef>${ref}</CmdRef><Cmd>${cmd}</Cmd><Data>${code}</Data></Status>`;
  const parts = [status('SyncHdr', '0', 200)];
  for (const sync of childrenOf(body, 'Sync')) {
    parts.push(status('Sync', textAt(sync, 'CmdID'), 200));
    for (const add of childrenOf(sync, 'Add')) {
      const chunk = child(child(add, 'Item')!, 'MoreData') !== undefined;
      parts.push(status('Add', textAt(add, 'CmdID'), chunk ? 213 : 201));
      if (!chunk) mapped.push(textAt(add, 'Item/Source/LocURI'));
    }
  }
  const ours = (tag: string) => `<${tag}><LocURI>addressbook</LocURI></${tag}>`;
  if (child(body, 'Final')) {
    const items = mapped.map((id) => `<MapItem><Target><LocURI>${id}</LocURI></Target><Source><LocURI>c${id}.vcf</LocURI></Source></MapItem>`).join('');
    parts.push(`<Map><CmdID>${++cmdId}</CmdID>${ours('Target')}<Source><LocURI>./addressbook</LocURI></Source>${items}</Map>`);
  } else {
    parts.push(`<Alert><CmdID>${++cmdId}</CmdID><Data>222</Data><Item>${ours('Target')}<Source><LocURI>./addressbook</LocURI></Source></Item></Alert>`);
  }
  const hdr = `<SyncHdr><VerDTD>1.2</VerDTD><VerProto>SyncML/1.2</VerProto><SessionID>5</SessionID><MsgID>${msgId}</MsgID><Target><LocURI>${respUri.replace(/&/g, '&amp;')}</LocURI></Target><Source><LocURI>lab-small</LocURI></Source><Meta><MaxMsgSize xmlns='syncml:metinf'>10240</MaxMsgSize></Meta></SyncHdr>`;
  return `<SyncML xmlns='SYNCML:SYNCML1.2'>${hdr}<SyncBody>${parts.join('')}<Final/></SyncBody></SyncML>`;
}

/** What differs from run to run in our answers: session tokens, anchors (the clock), nonces. */
const steady = (xml: string) => xml.replace(/sessionid=\w+/g, 'sessionid=*').replace(/<(Next|Last|NextNonce)( [^>]*)?>[^<]*</g, '<$1>*<');

/**
 * The recorded session (the client's slow sync: its 31 contacts, one of 40 KB in chunks), then
 * the client's side of our changes, each message answered by servers[n % servers.length]; every
 * message of the session's course is also sent a second time to the next server, as after a lost answer. Our answers, made steady.
 */
async function replay(servers: SyncmlServer[]): Promise<string[]> {
  const transcript: string[] = [];
  const mapped: string[] = [];
  let url = ENDPOINT;
  for (let n = 1; ; n++) {
    const text = n <= 4 ? adapt(fixture(SESSION, `00${n}-req.xml`), url, 'demo', 'demo') : reply(parseSyncml(transcript.at(-1)!).root, n, url, mapped);
    const { root, version } = parseSyncml(text);
    const answer = toXml((await servers[n % servers.length].handle(root, version, new URL(url))).root, version);
    transcript.push(answer);
    const respUri = textAt(parseSyncml(answer).root, 'SyncHdr/RespURI');
    if (!respUri) return transcript;
    if (n > 1) {
      const again = toXml((await servers[(n + 1) % servers.length].handle(root, version, new URL(url))).root, version);
      if (again !== answer) throw new Error(`message ${n} sent again was answered differently:\n${again}\n${answer}`);
    }
    if (n > 12) throw new Error('the session does not end');
    url = respUri;
  }
}

test('a session answered alternately by two servers goes as with one: chunks both ways, several messages of ours, the Map, a message sent again', async (t) => {
  t.timeout(120_000);
  const one = await system();
  const alone = await replay([new SyncmlServer(one)]);
  const two = await system();
  const alternate = await replay([new SyncmlServer(two), new SyncmlServer(two)]);
  t.deepEqual(alternate.map(steady), alone.map(steady));
  t.true(alone.length >= 7, `several messages of ours: ${alone.length}`);
  t.true(alone.some((a) => a.includes('<MoreData')), 'our long contact went in chunks');
  t.true(alone.slice(1, 3).every((a) => a.includes('<Data>213</Data>')), 'their long contact came in chunks');
  const expected = await namesOf(one, 'demo');
  // 31 of theirs, their 40 KB contact included, and 31 of ours.
  t.is(expected.length, 62);
  t.true(expected.includes('Bigge Note'));
  t.deepEqual(await namesOf(two, 'demo'), expected);
  t.is((await one.dispatch.store.all('SELECT token FROM syncml_sessions')).length, 0, 'the ended session is gone from the store');
  t.is((await two.dispatch.store.all('SELECT token FROM syncml_sessions')).length, 0);
});

const statuses = (root: Element) => childrenOf(child(root, 'SyncBody'), 'Status').map((s) => `${textAt(s, 'Cmd')}:${textAt(s, 'Data')}`);

test('a message that comes while another process answers its session is refused (503) and changes nothing; sent again later, it is answered', async (t) => {
  const portal = await openTestPortal();
  await seedDemo(portal);
  const [a, b] = [new SyncmlServer(portal), new SyncmlServer(portal)];
  const send = async (server: SyncmlServer, n: number, url: string) => {
    const { root, version } = parseSyncml(adapt(fixture('02-slow-first-sync', `00${n}-req.xml`), url, 'demo', 'demo'));
    return (await server.handle(root, version, new URL(url))).root;
  };
  const respUri = textAt(await send(a, 1, ENDPOINT), 'SyncHdr/RespURI');
  const token = new URL(respUri).searchParams.get('sessionid')!;
  // Another process holds the session, answering a message of it.
  const other = new SyncmlSessions(portal.dispatch.store);
  const held = await other.claim(token);
  t.true(typeof held === 'object');
  const refused = await send(b, 2, respUri);
  t.deepEqual(statuses(refused), ['SyncHdr:503', 'Sync:503']);
  t.is(textAt(refused, 'SyncHdr/RespURI'), '');
  t.deepEqual(await namesOf(portal, 'demo'), []);
  await other.release(token, (held as { revision: number }).revision);
  const answered = await send(b, 2, respUri);
  t.deepEqual(statuses(answered), ['SyncHdr:200', 'Sync:200', 'Add:201', 'Add:201']);
  t.deepEqual(await namesOf(portal, 'demo'), ['Carla Client', 'Dana Duplicate']);
});
